// Wire types for the console, taken from the shared schemas as types only, so
// nothing from typebox ends up in the browser bundle.
import type { ConsoleEvents, ConsoleRequests, EventData, RequestData, RequestResult } from '@helppoint/shared';

export type { CallView, TerminalView, UserView, EndReason } from '@helppoint/shared';

type Requests = typeof ConsoleRequests;
type Events = typeof ConsoleEvents;

export type ConsoleRequestType = keyof Requests & string;
export type ConsoleRequestData<K extends ConsoleRequestType> = RequestData<Requests, K>;
export type ConsoleRequestResult<K extends ConsoleRequestType> = RequestResult<Requests, K>;

export type HelloResult = ConsoleRequestResult<'hello'>;
export type TerminalStatusEvent = EventData<Events, 'terminal.status'>;
export type CallUpdatedEvent = EventData<Events, 'call.updated'>;
export type CallState = 'ringing' | 'answered' | 'ended';
export type MediaKind = 'audio' | 'video';
