// Wire types for the console, from the shared contract as types only
// (`@helppoint/shared/types` is erased at build time), so nothing from
// TypeBox ends up in the browser bundle. Run-time helpers come from
// `@helppoint/shared/runtime`. See docs/architecture.md.
import type { ConsoleEventData, ConsoleRequestResult } from '@helppoint/shared/types';

export type {
  CallView,
  TerminalView,
  UserView,
  EndReason,
  CallState,
  ConsoleRequestType,
  ConsoleRequestData,
  ConsoleRequestResult,
  ConsoleEventArgs,
} from '@helppoint/shared/types';

export type HelloResult = ConsoleRequestResult<'hello'>;
export type TerminalStatusEvent = ConsoleEventData<'terminal.status'>;
export type CallUpdatedEvent = ConsoleEventData<'call.updated'>;
export type MediaKind = 'audio' | 'video';
