import Type, { type Static } from 'typebox';
import { CallId, EndReasonSchema, LocationId } from './common.ts';
import { TerminalView } from './views.ts';

/**
 * What stations and the district relay say to each other through NATS
 * (issue 14). Subjects, bucket and stream names are in districtSubjects.ts;
 * every payload here is JSON, checked on arrival like a WebSocket frame.
 */

/** A station's ID: one NATS subject token, so no dots, wildcards or spaces. */
export const StationId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,31}$', description: 'station ID, e.g. xc-dongsi' });
export type StationId = Static<typeof StationId>;

/** What the district map shows of a terminal. */
export const DistrictTerminalStatus = Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('ringing'), Type.Literal('in_call')]);
export type DistrictTerminalStatus = Static<typeof DistrictTerminalStatus>;

/** The health summary the fleet view across stations needs (the full report stays at the station). */
export const DistrictHealthSummary = Type.Object({
  cameraOk: Type.Union([Type.Boolean(), Type.Null()]),
  cpuTempC: Type.Union([Type.Number(), Type.Null()]),
  rssiDbm: Type.Union([Type.Number(), Type.Null()]),
  version: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
  alarms: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 8 }),
  lastSelfTestPassed: Type.Union([Type.Boolean(), Type.Null()]),
});
export type DistrictHealthSummary = Static<typeof DistrictHealthSummary>;

/** Value of key `<station>.<terminal>` in the presence bucket; it expires unless the station refreshes it. */
export const PresenceEntry = Type.Object({
  v: Type.Literal(1),
  station: StationId,
  terminal: TerminalView,
  status: DistrictTerminalStatus,
  health: Type.Union([DistrictHealthSummary, Type.Null()]),
  /** Station clock when this was written. */
  at: Type.Integer(),
});
export type PresenceEntry = Static<typeof PresenceEntry>;

/** Value of key `<station>._station`: the station relay itself, and where district consoles reach it. */
export const StationEntry = Type.Object({
  v: Type.Literal(1),
  station: StationId,
  name: Type.String({ maxLength: 128 }),
  /** Base URL of the station relay (https://…) for district consoles' media. */
  publicUrl: Type.String({ maxLength: 512 }),
  terminals: Type.Integer({ minimum: 0 }),
  online: Type.Integer({ minimum: 0 }),
  openCalls: Type.Integer({ minimum: 0 }),
  at: Type.Integer(),
});
export type StationEntry = Static<typeof StationEntry>;

export const DISTRICT_CALL_EVENT_TYPES = ['created', 'ringing', 'answered', 'escalated', 'dispatched', 'ended'] as const;
export const DistrictCallEventType = Type.Union([
  Type.Literal('created'),
  Type.Literal('ringing'),
  Type.Literal('answered'),
  Type.Literal('escalated'),
  Type.Literal('dispatched'),
  Type.Literal('ended'),
]);
export type DistrictCallEventType = (typeof DISTRICT_CALL_EVENT_TYPES)[number];

/** One call event in the district stream; `id` (`<callId>:<type>`) is also its Nats-Msg-Id, so each happens once. */
export const DistrictCallEvent = Type.Object({
  v: Type.Literal(1),
  id: Type.String({ maxLength: 96 }),
  station: StationId,
  type: DistrictCallEventType,
  callId: CallId,
  /** Station clock when it happened (not when it was delivered). */
  at: Type.Integer(),
  createdAt: Type.Integer(),
  kind: Type.String({ maxLength: 16 }),
  terminal: TerminalView,
  answeredBy: Type.Union([Type.Object({ displayName: Type.String(), fromDistrict: Type.Boolean() }), Type.Null()]),
  endReason: Type.Union([EndReasonSchema, Type.Null()]),
  /** Free-form extra for later event types (dispatch: unit, responder). */
  detail: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type DistrictCallEvent = Static<typeof DistrictCallEvent>;

/** What a district officer may do at a station; the station checks the token grants it. */
export const DistrictRight = Type.Union([Type.Literal('calls.answer'), Type.Literal('camera.lookin')]);
export type DistrictRight = Static<typeof DistrictRight>;

/** The claims of a district token (signed by the district's Ed25519 key, verified by each station). */
export const DistrictTokenClaims = Type.Object({
  iss: Type.String({ maxLength: 64 }),
  /** The district officer's username at the district relay. */
  sub: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
  name: Type.String({ minLength: 1, maxLength: 64 }),
  /** The one station it is for. */
  aud: StationId,
  rights: Type.Array(DistrictRight, { minItems: 1, maxItems: 4 }),
  iat: Type.Integer(),
  exp: Type.Integer(),
  jti: Type.String({ minLength: 8, maxLength: 64 }),
});
export type DistrictTokenClaims = Static<typeof DistrictTokenClaims>;

export const DistrictAnswerRequest = Type.Object({ token: Type.String({ maxLength: 2048 }), callId: CallId }, { additionalProperties: false });
export type DistrictAnswerRequest = Static<typeof DistrictAnswerRequest>;
export const DistrictLookinRequest = Type.Object({ token: Type.String({ maxLength: 2048 }), terminalId: LocationId }, { additionalProperties: false });
export type DistrictLookinRequest = Static<typeof DistrictLookinRequest>;
export const DistrictHangupRequest = Type.Object({ token: Type.String({ maxLength: 2048 }), callId: CallId }, { additionalProperties: false });
export type DistrictHangupRequest = Static<typeof DistrictHangupRequest>;

/** How the district console reaches the call's media: straight at the owning station's relay. */
export const DistrictMediaTicket = Type.Object({
  /** ws(s)://station/ws/console?ticket=… : a console socket as the district officer's station account. */
  consoleUrl: Type.String({ maxLength: 1024 }),
  callId: CallId,
  expiresAt: Type.Integer(),
});
export type DistrictMediaTicket = Static<typeof DistrictMediaTicket>;

export const DistrictCommandReply = Type.Union([
  Type.Object({ ok: Type.Literal(true), media: DistrictMediaTicket }),
  Type.Object({ ok: Type.Literal(false), error: Type.Object({ code: Type.String(), message: Type.String() }) }),
]);
export type DistrictCommandReply = Static<typeof DistrictCommandReply>;

/** A terminal as the district desk shows it (on /ws/district and GET /api/district/state). */
export const DistrictTerminalView = Type.Object({
  ...PresenceEntry.properties,
  /** Its presence key, `<station>.<terminal>`. */
  key: Type.String(),
  /** The station stopped refreshing it (cut off or down): its real state is unknown. */
  stale: Type.Boolean(),
});
export type DistrictTerminalView = Static<typeof DistrictTerminalView>;

/** An open call at one of the stations, as the district desk follows it from the call events. */
export const DistrictCallView = Type.Object({
  station: StationId,
  callId: CallId,
  terminal: TerminalView,
  state: Type.Union([Type.Literal('ringing'), Type.Literal('answered'), Type.Literal('ended')]),
  kind: Type.String({ maxLength: 16 }),
  createdAt: Type.Integer(),
  answeredBy: DistrictCallEvent.properties.answeredBy,
  endReason: Type.Union([EndReasonSchema, Type.Null()]),
  escalatedAt: Type.Union([Type.Integer(), Type.Null()]),
  /** The district desk rings for it (unanswered at its station past the district's timeout). */
  districtRinging: Type.Boolean(),
  dispatched: Type.Boolean(),
});
export type DistrictCallView = Static<typeof DistrictCallView>;

/** Everything the district desk shows at once: GET /api/district/state, and the first push on /ws/district. */
export const DistrictSnapshot = Type.Object({
  stations: Type.Array(StationEntry),
  terminals: Type.Array(DistrictTerminalView),
  calls: Type.Array(DistrictCallView),
  escalateAfterMs: Type.Integer(),
});
export type DistrictSnapshot = Static<typeof DistrictSnapshot>;

/** What the district relay pushes to its consoles on /ws/district. */
export type DistrictPush =
  | { type: 'snapshot'; data: DistrictSnapshot }
  | { type: 'terminal'; data: DistrictTerminalView }
  | { type: 'terminalGone'; data: { key: string; station: string; terminalId: string } }
  | { type: 'station'; data: StationEntry }
  | { type: 'call'; data: DistrictCallView };
