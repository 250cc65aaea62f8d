import type { EventArgs, EventData, EventUnion, HandlerTable, RequestData, RequestResult, RequestSender } from './spec.ts';
import type { ConsoleEvents, ConsoleRequests } from './console.ts';
import type { TerminalEvents, TerminalRequests } from './terminal.ts';

// Named types per peer, so call sites read `TerminalRequestResult<'hello'>`
// rather than spelling the catalogue each time. Types only.

type TReq = typeof TerminalRequests;
type TEv = typeof TerminalEvents;
export type TerminalRequestType = keyof TReq & string;
export type TerminalRequestData<K extends TerminalRequestType> = RequestData<TReq, K>;
export type TerminalRequestResult<K extends TerminalRequestType> = RequestResult<TReq, K>;
export type TerminalEventType = keyof TEv & string;
export type TerminalEventData<K extends TerminalEventType> = EventData<TEv, K>;
/** Any event the relay sends a terminal, narrowed by `type`. */
export type TerminalEvent = EventUnion<TEv>;
export type TerminalEventArgs = EventArgs<TEv>;
export type TerminalHandlers = HandlerTable<TReq>;
export type TerminalSender = RequestSender<TReq>;

type CReq = typeof ConsoleRequests;
type CEv = typeof ConsoleEvents;
export type ConsoleRequestType = keyof CReq & string;
export type ConsoleRequestData<K extends ConsoleRequestType> = RequestData<CReq, K>;
export type ConsoleRequestResult<K extends ConsoleRequestType> = RequestResult<CReq, K>;
export type ConsoleEventType = keyof CEv & string;
export type ConsoleEventData<K extends ConsoleEventType> = EventData<CEv, K>;
export type ConsoleEvent = EventUnion<CEv>;
export type ConsoleEventArgs = EventArgs<CEv>;
export type ConsoleHandlers = HandlerTable<CReq>;
export type ConsoleSender = RequestSender<CReq>;
