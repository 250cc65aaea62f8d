import Type, { type Static } from 'typebox';
import { CallId, Empty, LocationId, MediaId, MediaKind, RtcObject } from './common.ts';
import { RtcRequests } from './rtc.ts';
import { TerminalView } from './views.ts';

// Dispatch (issue 13): responders on phones, the desk's dispatch panel, the
// response-time report. REST bodies and the two WebSocket catalogs
// (/ws/responder for phones, /ws/dispatch for desks) live here.

export const RESPONDER_KINDS = ['community_police', 'patrol', 'guard', 'volunteer'] as const;
export type ResponderKind = (typeof RESPONDER_KINDS)[number];
export const ResponderKind = Type.Union([Type.Literal('community_police'), Type.Literal('patrol'), Type.Literal('guard'), Type.Literal('volunteer')]);

/** assigned → accepted → en_route → on_scene → done; refused or cancelled end a job early. */
export const DISPATCH_STATUSES = ['assigned', 'accepted', 'en_route', 'on_scene', 'done', 'refused', 'cancelled'] as const;
export type DispatchStatus = (typeof DISPATCH_STATUSES)[number];
export const DispatchStatus = Type.Union([
  Type.Literal('assigned'), Type.Literal('accepted'), Type.Literal('en_route'), Type.Literal('on_scene'),
  Type.Literal('done'), Type.Literal('refused'), Type.Literal('cancelled'),
]);
/** A job still needs the responder. */
export const OPEN_DISPATCH_STATUSES: readonly DispatchStatus[] = ['assigned', 'accepted', 'en_route', 'on_scene'];

/** What a responder may set on their own job. */
export const ResponderJobStatus = Type.Union([Type.Literal('accepted'), Type.Literal('en_route'), Type.Literal('on_scene'), Type.Literal('done'), Type.Literal('refused')]);
export type ResponderJobStatus = Static<typeof ResponderJobStatus>;

/** WGS84 degrees. Ranges are checked by the relay, so an impossible position gets bad_coordinates rather than a schema error. */
export const Latitude = Type.Number();
export const Longitude = Type.Number();

export const PositionView = Type.Object({
  latitude: Type.Number(),
  longitude: Type.Number(),
  accuracyM: Type.Union([Type.Number(), Type.Null()]),
  at: Type.Integer(),
});
export type PositionView = Static<typeof PositionView>;

export const ResponderView = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  unitName: Type.String(),
  kind: ResponderKind,
  onDuty: Type.Boolean(),
  /** Only while on duty; null otherwise. */
  position: Type.Union([PositionView, Type.Null()]),
  /** The open job's status, if the responder has one ('free' otherwise). */
  status: Type.Union([DispatchStatus, Type.Literal('free')]),
  /** The call of that open job. */
  callId: Type.Union([CallId, Type.Null()]),
});
export type ResponderView = Static<typeof ResponderView>;

export const DispatchView = Type.Object({
  id: Type.Integer(),
  callId: CallId,
  terminalId: LocationId,
  responder: Type.Object({ id: Type.Integer(), displayName: Type.String(), unitName: Type.String(), kind: ResponderKind }),
  dispatchedBy: Type.Object({ id: Type.Integer(), displayName: Type.String() }),
  status: DispatchStatus,
  distanceM: Type.Union([Type.Number(), Type.Null()]),
  dispatchedAt: Type.Integer(),
  acceptedAt: Type.Union([Type.Integer(), Type.Null()]),
  enRouteAt: Type.Union([Type.Integer(), Type.Null()]),
  onSceneAt: Type.Union([Type.Integer(), Type.Null()]),
  doneAt: Type.Union([Type.Integer(), Type.Null()]),
  refusedAt: Type.Union([Type.Integer(), Type.Null()]),
  cancelledAt: Type.Union([Type.Integer(), Type.Null()]),
  /** Not accepted within the escalation time: the desk should pick another unit. */
  escalatedAt: Type.Union([Type.Integer(), Type.Null()]),
  note: Type.String(),
  refuseReason: Type.String(),
});
export type DispatchView = Static<typeof DispatchView>;

/** A responder the desk could send, nearest first. */
export const CandidateView = Type.Object({
  responder: ResponderView,
  /** Metres to the terminal: along the alley network, or straight line × the detour factor. */
  distanceM: Type.Union([Type.Number(), Type.Null()]),
  method: Type.Union([Type.Literal('network'), Type.Literal('straight'), Type.Literal('unknown')]),
  /** How old the position is, ms (null when none was reported yet). */
  positionAgeMs: Type.Union([Type.Integer(), Type.Null()]),
});
export type CandidateView = Static<typeof CandidateView>;

/** What a responder's phone shows for one job. */
export const JobView = Type.Object({
  dispatch: DispatchView,
  terminal: TerminalView,
  call: Type.Object({
    id: CallId,
    state: Type.String(),
    createdAt: Type.Integer(),
    /** The terminal's live tracks (consume them over /ws/responder). */
    producers: Type.Array(Type.Object({ id: MediaId, kind: MediaKind })),
  }),
  /** The newest snapshot an officer took of this call, if any. */
  snapshotUrl: Type.Union([Type.String(), Type.Null()]),
});
export type JobView = Static<typeof JobView>;

// ---- REST bodies ----
export const DutyBody = Type.Object({ onDuty: Type.Boolean() }, { additionalProperties: false });
export type DutyBody = Static<typeof DutyBody>;
export const PositionBody = Type.Object(
  { latitude: Latitude, longitude: Longitude, accuracyM: Type.Optional(Type.Number({ minimum: 0, maximum: 100_000 })) },
  { additionalProperties: false },
);
export type PositionBody = Static<typeof PositionBody>;
export const DispatchBody = Type.Object(
  { responderIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 10, uniqueItems: true }) },
  { additionalProperties: false },
);
export type DispatchBody = Static<typeof DispatchBody>;
export const JobStatusBody = Type.Object(
  {
    status: ResponderJobStatus,
    /** With done: what happened (short). */
    note: Type.Optional(Type.String({ maxLength: 500 })),
    /** With refused: why (required then). */
    reason: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type JobStatusBody = Static<typeof JobStatusBody>;
export const ResponderProfileBody = Type.Object(
  { unitName: Type.String({ minLength: 1, maxLength: 64 }), kind: ResponderKind },
  { additionalProperties: false },
);
export type ResponderProfileBody = Static<typeof ResponderProfileBody>;
export const TalkBody = Type.Object({ on: Type.Boolean() }, { additionalProperties: false });

/** How the response-time report groups calls. */
export const ReportPeriod = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')]);
export type ReportPeriod = Static<typeof ReportPeriod>;

export const ReportQuery = Type.Object(
  {
    period: Type.Optional(ReportPeriod),
    from: Type.Optional(Type.Integer({ minimum: 0 })),
    to: Type.Optional(Type.Integer({ minimum: 0 })),
    terminalId: Type.Optional(LocationId),
    /** Group rows by terminal as well as by period. */
    byTerminal: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ReportQuery = Static<typeof ReportQuery>;

export const DurationStats = Type.Object({
  n: Type.Integer(),
  p50Ms: Type.Union([Type.Number(), Type.Null()]),
  p90Ms: Type.Union([Type.Number(), Type.Null()]),
});
export type DurationStats = Static<typeof DurationStats>;

export const ReportRow = Type.Object({
  /** Start of the day/week/month (station local time), ms. */
  periodStart: Type.Integer(),
  /** YYYY-MM-DD of that start. */
  periodLabel: Type.String(),
  terminalId: Type.Union([LocationId, Type.Null()]),
  calls: Type.Integer(),
  pressToAnswer: DurationStats,
  answerToDispatch: DurationStats,
  dispatchToOnScene: DurationStats,
  pressToOnScene: DurationStats,
  /** Calls with someone on scene within the target. */
  withinTarget: Type.Integer(),
});
export type ReportRow = Static<typeof ReportRow>;

// ---- /ws/responder: a responder's phone ----
export const ResponderRequests = {
  hello: {
    data: Empty,
    result: Type.Object({
      user: Type.Object({ id: Type.Integer(), username: Type.String(), displayName: Type.String(), role: Type.String() }),
      responder: ResponderView,
      routerRtpCapabilities: RtcObject,
      jobs: Type.Array(JobView),
    }),
    doc: 'First message on /ws/responder: who is signed in (role responder only), their duty state and open jobs.',
  },
  'job.talk': {
    data: Type.Object({ dispatchId: Type.Integer({ minimum: 1 }), on: Type.Boolean() }, { additionalProperties: false }),
    result: Empty,
    doc: "Push to talk: on=true puts this responder's produced microphone on the terminal's speaker (the officer's voice returns with on=false). Refused with call_ended once the call is over.",
  },
  ...RtcRequests,
} as const;

export const ResponderEvents = {
  'job.updated': {
    data: Type.Object({ job: JobView }),
    doc: 'A job was offered to this responder (status assigned: ring), or it changed (the call got media, ended, the desk cancelled).',
  },
} as const;

// ---- /ws/dispatch: the desk's dispatch panel and map ----
export const DeskDispatchRequests = {
  hello: {
    data: Empty,
    result: Type.Object({ responders: Type.Array(ResponderView), dispatches: Type.Array(DispatchView), escalateAfterMs: Type.Integer() }),
    doc: "First message on /ws/dispatch (roles that may dispatch): every responder with position (audited as responder.positions.view) and today's open dispatches.",
  },
} as const;

export const DeskDispatchEvents = {
  'dispatch.updated': {
    data: Type.Object({ dispatch: DispatchView }),
    doc: 'A dispatch was made or changed status (accepted, en route, on scene, done, refused, cancelled, escalated).',
  },
  'responder.updated': {
    data: Type.Object({ responder: ResponderView }),
    doc: 'A responder went on or off duty, moved, or their job status changed.',
  },
} as const;
