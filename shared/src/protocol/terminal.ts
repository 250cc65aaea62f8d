import Type from 'typebox';
import { CallId, EndReasonSchema, Empty, LocationId, MediaId, RequestId, RtcObject } from './common.ts';
import { RtcRequests } from './rtc.ts';
import { AlarmKind, SelfTestReport, TerminalHealth } from './health.ts';

/** Requests a terminal (kiosk) sends to the relay on /ws/terminal. */
export const TerminalRequests = {
  hello: {
    data: Type.Object(
      {
        terminalId: LocationId,
        version: Type.String({ maxLength: 32 }),
      },
      { additionalProperties: false },
    ),
    result: Type.Object({
      routerRtpCapabilities: RtcObject,
      heartbeatIntervalMs: Type.Integer(),
      serverTime: Type.Integer(),
      /** A call of this terminal still open on the relay (after a reconnect), if any. */
      openCallId: Type.Union([CallId, Type.Null()]),
    }),
    doc: 'First message on every connection: which terminal this is. Anything else before it is refused.',
  },
  heartbeat: {
    data: Type.Object(
      // health is optional so terminals from before the health report still validate.
      { seq: Type.Integer({ minimum: 0 }), uptimeS: Type.Number({ minimum: 0 }), health: Type.Optional(TerminalHealth) },
      { additionalProperties: false },
    ),
    result: Type.Object({ serverTime: Type.Integer() }),
    doc: 'Sent every heartbeatIntervalMs with the health report; three missed heartbeats mark the terminal offline.',
  },
  'selftest.report': {
    data: Type.Object({ report: SelfTestReport }, { additionalProperties: false }),
    result: Empty,
    doc: 'The result of a self-test (nightly or doctor): one line per check. The relay keeps the latest and a history.',
  },
  alarm: {
    data: Type.Object({ kind: AlarmKind, active: Type.Boolean() }, { additionalProperties: false }),
    result: Empty,
    doc: 'An alarm input changed (the door switch opened or closed). Sent at once, not with the next heartbeat.',
  },
  'help.request': {
    data: Type.Object({ requestId: RequestId }, { additionalProperties: false }),
    result: Type.Object({ callId: CallId, created: Type.Boolean() }),
    doc: 'The resident pressed the button. Idempotent by requestId: a retry returns the same call.',
  },
  'help.cancel': {
    data: Type.Object({ callId: CallId }, { additionalProperties: false }),
    result: Empty,
    doc: 'The resident cancelled with a long press (ends the call as cancelled, or terminal_hangup once answered).',
  },
  ...RtcRequests,
} as const;

/** Events the relay sends to a terminal. */
export const TerminalEvents = {
  'call.answered': {
    data: Type.Object({ callId: CallId, officer: Type.Object({ displayName: Type.String() }) }),
    doc: 'An officer took the call.',
  },
  'call.officerAudio': {
    data: Type.Object({ callId: CallId, producerId: MediaId }),
    doc: "The officer's microphone is live: consume this producer and play it on the speaker.",
  },
  'call.ended': {
    data: Type.Object({ callId: CallId, reason: EndReasonSchema }),
    doc: 'The call is over, with the reason.',
  },
} as const;
