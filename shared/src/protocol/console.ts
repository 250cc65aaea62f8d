import Type from 'typebox';
import { AudioActivityFields, CallId, Empty, LocationId, RtcObject } from './common.ts';
import { ConsumerOptions, RtcRequests } from './rtc.ts';
import { CallView, TerminalView, UserView } from './views.ts';
import { FleetEntry } from './health.ts';
import { CalledBackView } from './missedCalls.ts';

/** Requests an officer's console sends to the relay on /ws/console (the session cookie authenticates). */
export const ConsoleRequests = {
  hello: {
    data: Empty,
    result: Type.Object({
      user: UserView,
      routerRtpCapabilities: RtcObject,
      terminals: Type.Array(TerminalView),
      calls: Type.Array(CallView),
    }),
    doc: 'First message: returns who is signed in, every terminal, and the calls still open.',
  },
  'call.answer': {
    data: Type.Object({ callId: CallId }, { additionalProperties: false }),
    result: Type.Object({ call: CallView }),
    doc: 'Take a ringing call. The first officer to answer wins; the others get call_already_answered.',
  },
  'call.decline': {
    data: Type.Object({ callId: CallId }, { additionalProperties: false }),
    result: Type.Object({ call: CallView }),
    doc: "Do not take a ringing call: this officer's consoles stop ringing for it (the call lists them in declinedBy); it keeps ringing on every other console until answered, cancelled or timed out. Each decline is recorded on the call. Refused with call_already_answered once answered.",
  },
  'call.hangup': {
    data: Type.Object({ callId: CallId }, { additionalProperties: false }),
    result: Empty,
    doc: 'End a call this officer answered (or one still ringing).',
  },
  'lookin.start': {
    data: Type.Object({ terminalId: LocationId }, { additionalProperties: false }),
    result: Type.Object({ call: CallView }),
    doc: "Look in: open an online, idle terminal's camera and microphone without a call (officer, supervisor, admin). Creates a call of kind lookin already answered by this officer; no console rings; the terminal's LED blinks slowly; audited as camera.lookin. Talk by producing audio into it; end it with call.hangup. Refused with unknown_terminal, terminal_offline or terminal_busy.",
  },
  'fleet.watch': {
    data: Type.Object({ on: Type.Boolean() }, { additionalProperties: false }),
    result: Empty,
    doc: "Receive fleet.updated on this connection (on: true) or stop (on: false). The fleet page asks once it has loaded; a duty desk that never opens it is not sent every terminal's heartbeat readings (10,000 terminals: about 1,000 messages a second). Needs terminals.read.",
  },
  ...RtcRequests,
} as const;

/** Events the relay pushes to every signed-in console (fleet.updated only to those that asked with fleet.watch). */
export const ConsoleEvents = {
  'terminal.status': {
    data: Type.Object({ terminalId: LocationId, online: Type.Boolean(), lastSeenAt: Type.Union([Type.Integer(), Type.Null()]) }),
    doc: 'A terminal came online or went offline.',
  },
  'call.updated': {
    data: Type.Object({ call: CallView }),
    doc: 'A call was created (ringing), got media, was answered (answeredBy says by whom) or ended.',
  },
  'fleet.updated': {
    data: Type.Object({ entry: FleetEntry }),
    doc: "A terminal's fleet status changed: heartbeat with health, online/offline, alarm raised or cleared, new self-test. Sent only to consoles that asked with fleet.watch; every console gets terminal.status.",
  },
  'call.audioActivity': {
    data: Type.Object({ callId: CallId, terminalId: LocationId, ...AudioActivityFields }),
    doc: "The terminal's microphone level and whether the resident is speaking, during a call (from the terminal's call.audioActivity); shown on the call card.",
  },
  'rtc.consumersOffered': {
    data: Type.Object({ callId: CallId, consumers: Type.Array(ConsumerOptions) }),
    doc: "Consumers of a ringing call's camera and microphone that the relay made on this console's warm receive transport (the one given to rtc.warmUp) as the call rang, paused, so the console need not ask with rtc.consume while the officer waits for the picture: it builds them locally and resumes each with rtc.resumeConsumer. Sent only to consoles that may take calls and are shown the call, after the call.updated that rings; each producer is offered once per console (a re-joined terminal's new producer is offered again). Checked and audited like rtc.consume; they close with the call, or when another officer answers it.",
  },
  'call.calledBack': {
    data: CalledBackView,
    doc: 'An officer called back the resident of a missed (late-delivered) call: every console drops it from its list to call back.',
  },
} as const;

export { CallView, TerminalView, UserView };
