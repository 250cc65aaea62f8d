import Type, { type Static } from 'typebox';
import { PERMISSION_NAMES } from '../permissions.ts';
import { CallId, CallState, CallViewKind, EndReasonSchema, LocationId, literals } from './common.ts';
import { CandidateView, DispatchView, JobView, ReportPeriod, ReportRow, ResponderView } from './dispatch.ts';
import { DistrictMediaTicket, DistrictSnapshot } from './district.ts';
import { IncidentTypeSchema, OutcomeSchema } from './history.ts';
import { FleetEntry, HealthPoint } from './health.ts';
import { MissedCallView, CalledBackView } from './missedCalls.ts';
import { TerminalPlaceFields, TerminalView, UserView } from './views.ts';
import { KioskPackageView, RolloutView } from './updates.ts';

/*
 * Response bodies of the REST routes (status 200). The relay registers each
 * as the route's `response` schema, so fastify serialises exactly these
 * fields (a field added to a record on the server does not leak until it is
 * added here), and the console takes its types from them.
 */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(s: T) => Type.Union([s, Type.Null()]);
const Who = Type.Object({ id: Type.Integer(), displayName: Type.String() });

export const PermissionSchema = literals(PERMISSION_NAMES);

/** GET /api/me, POST /api/login */
export const MeResponse = Type.Object({ user: UserView, permissions: Type.Array(PermissionSchema) });
export type MeResponse = Static<typeof MeResponse>;

/** GET /api/terminals */
export const TerminalsResponse = Type.Object({ terminals: Type.Array(TerminalView) });
export type TerminalsResponse = Static<typeof TerminalsResponse>;

/** POST /api/logout, POST /api/users/:id/password, POST /api/me/password: success, nothing more to say. */
export const EmptyResponse = Type.Object({});
export type EmptyResponse = Static<typeof EmptyResponse>;

/** A terminal's place as stored (relay/src/db/TerminalRepo.ts TerminalRecord): what admins edit, no presence. */
export const TerminalRecordView = Type.Object({
  ...TerminalPlaceFields,
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
});
export type TerminalRecordView = Static<typeof TerminalRecordView>;
/** POST /api/terminals (201), PATCH /api/terminals/:id */
export const TerminalSavedResponse = Type.Object({ terminal: TerminalRecordView });
export type TerminalSavedResponse = Static<typeof TerminalSavedResponse>;

/** GET /api/fleet: every terminal, its health, and the relay's clock (to say "3 min ago" right). */
export const FleetResponse = Type.Object({ terminals: Type.Array(TerminalView), entries: Type.Array(FleetEntry), serverTime: Type.Integer() });
export type FleetResponse = Static<typeof FleetResponse>;
/** GET /api/fleet/:id/history */
export const FleetHistoryResponse = Type.Object({ terminal: TerminalView, entry: FleetEntry, since: Type.Integer(), points: Type.Array(HealthPoint) });
export type FleetHistoryResponse = Static<typeof FleetHistoryResponse>;

/**
 * GET /healthz, the relay's own health (200 when healthy, 503 with the same
 * body when not). The last three fields only for a trusted scraper: how many
 * consoles are open says whether the desk is staffed.
 */
export const RelayHealthResponse = Type.Object({
  ok: Type.Boolean(),
  db: literals(['writable', 'failed'] as const),
  workers: Type.Integer(),
  workersAlive: Type.Integer(),
  diskLow: Type.Boolean(),
  terminalsOnline: Type.Optional(Type.Integer()),
  consoles: Type.Optional(Type.Integer()),
  openCalls: Type.Optional(Type.Integer()),
});
export type RelayHealthResponse = Static<typeof RelayHealthResponse>;

/** A call as stored (relay/src/db/CallRepo.ts CallRecord). */
export const CallRecordView = Type.Object({
  id: CallId,
  requestId: Type.String(),
  terminalId: LocationId,
  state: CallState,
  createdAt: Type.Integer(),
  rangAt: Nullable(Type.Integer()),
  answeredAt: Nullable(Type.Integer()),
  answeredBy: Nullable(Type.Integer()),
  endedAt: Nullable(Type.Integer()),
  endReason: Nullable(EndReasonSchema),
  endedBy: Nullable(literals(['officer', 'terminal', 'relay'] as const)),
  kind: CallViewKind,
  escalatedAt: Nullable(Type.Integer()),
});
export type CallRecordView = Static<typeof CallRecordView>;

/** One row of the call history. */
export const CallSummary = Type.Object({
  ...CallRecordView.properties,
  terminalName: Type.String(),
  terminalNameEn: Type.String(),
  officer: Nullable(Who),
  disposition: Nullable(Type.Object({ incidentType: IncidentTypeSchema, outcome: OutcomeSchema, dispatched: Type.Boolean() })),
});
export type CallSummary = Static<typeof CallSummary>;

/** GET /api/calls */
export const CallSearchResponse = Type.Object({ calls: Type.Array(CallSummary) });
export type CallSearchResponse = Static<typeof CallSearchResponse>;

/** One line of a call's timeline. */
export const CallEventView = Type.Object({
  id: Type.Integer(),
  callId: CallId,
  at: Type.Integer(),
  type: Type.String(),
  actor: Nullable(Type.String()),
  actorName: Nullable(Type.String()),
  detail: Type.Unknown(),
});
export type CallEventView = Static<typeof CallEventView>;

/** A snapshot or a recording kept with a call. */
export const EvidenceFile = Type.Object({
  id: Type.Integer(),
  kind: literals(['snapshot', 'recording'] as const),
  mime: Type.String(),
  bytes: Type.Integer(),
  createdAt: Type.Integer(),
  finishedAt: Nullable(Type.Integer()),
  deletedAt: Nullable(Type.Integer()),
  url: Nullable(Type.String()),
  /** Recordings: which segment of its side (a re-joined call has several); null for snapshots. */
  segment: Nullable(Type.Integer()),
  /** The terminal's clip of the seconds around the press (issue 15): listed before the call's own recording, not one of its segments. */
  prePress: Type.Optional(Type.Boolean()),
});
export type EvidenceFile = Static<typeof EvidenceFile>;

export const DispositionView = Type.Object({
  callId: CallId,
  incidentType: IncidentTypeSchema,
  outcome: OutcomeSchema,
  notes: Type.String(),
  dispatched: Type.Boolean(),
  recordedBy: Type.Integer(),
  recordedAt: Type.Integer(),
});
export type DispositionView = Static<typeof DispositionView>;

/** GET /api/calls/:id */
export const CallDetailResponse = Type.Object({
  call: CallRecordView,
  summary: CallSummary,
  events: Type.Array(CallEventView),
  disposition: Nullable(DispositionView),
  media: Type.Array(EvidenceFile),
});
export type CallDetailResponse = Static<typeof CallDetailResponse>;

/** POST /api/calls/:id/disposition */
export const DispositionSavedResponse = Type.Object({ disposition: DispositionView });
/** POST /api/calls/:id/snapshots */
export const SnapshotSavedResponse = Type.Object({ media: EvidenceFile });

/** GET /api/duty-config */
export const DutyConfigResponse = Type.Object({ mapTileUrl: Type.String(), officers: Type.Array(Who) });
export type DutyConfigResponse = Static<typeof DutyConfigResponse>;

/** GET /api/missed-calls */
export const MissedCallsResponse = Type.Object({ calls: Type.Array(MissedCallView) });
/** POST /api/calls/:id/called-back */
export const CalledBackResponse = Type.Object({ calledBack: CalledBackView, changed: Type.Boolean() });

/** An account as admins see it (never a password hash). */
export const AccountView = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  disabled: Type.Boolean(),
  createdAt: Type.Integer(),
});
export type AccountView = Static<typeof AccountView>;
/** GET /api/users */
export const UsersResponse = Type.Object({ users: Type.Array(AccountView) });
export type UsersResponse = Static<typeof UsersResponse>;
/** POST /api/users (201), PATCH /api/users/:id */
export const AccountSavedResponse = Type.Object({ user: AccountView });
export type AccountSavedResponse = Static<typeof AccountSavedResponse>;

const Backoff = { failures: Type.Integer(), retryAfterS: Type.Integer() };
/** GET /api/login-throttle: the accounts and addresses whose sign-in is backing off now. */
export const LoginThrottleResponse = Type.Object({
  accounts: Type.Array(Type.Object({ username: Type.String(), ...Backoff })),
  addresses: Type.Array(Type.Object({ address: Type.String(), ...Backoff })),
});
export type LoginThrottleResponse = Static<typeof LoginThrottleResponse>;
/** POST /api/users/:id/unlock, POST /api/login-throttle/unlock-address: whether any back-off was running. */
export const UnlockResponse = Type.Object({ cleared: Type.Boolean() });
export type UnlockResponse = Static<typeof UnlockResponse>;

export const AuditEntryView = Type.Object({
  id: Type.Integer(),
  at: Type.Integer(),
  actor: Type.String(),
  action: Type.String(),
  target: Nullable(Type.String()),
  outcome: literals(['ok', 'refused'] as const),
  detail: Nullable(Type.Record(Type.String(), Type.Unknown())),
  remote: Nullable(Type.String()),
});
export type AuditEntryView = Static<typeof AuditEntryView>;
/** GET /api/audit */
export const AuditResponse = Type.Object({ entries: Type.Array(AuditEntryView) });
export type AuditResponse = Static<typeof AuditResponse>;

export const EnrolmentView = Type.Object({
  terminalId: LocationId,
  state: literals(['unenrolled', 'enrolled', 'revoked'] as const),
  keyFingerprint: Nullable(Type.String()),
  enrolledAt: Nullable(Type.Integer()),
  revokedAt: Nullable(Type.Integer()),
  pendingCodeExpiresAt: Nullable(Type.Integer()),
});
export type EnrolmentView = Static<typeof EnrolmentView>;
/** GET /api/enrolments */
export const EnrolmentsResponse = Type.Object({ terminals: Type.Array(EnrolmentView) });
export type EnrolmentsResponse = Static<typeof EnrolmentsResponse>;

/** POST /api/enrol: the Pi's enrolment (kiosk/src/enrol/enrolCommand.ts), the place it now is. */
export const EnrolResponse = Type.Object({
  terminalId: LocationId,
  keyFingerprint: Type.String(),
  terminal: Type.Object({ name: Type.String(), nameEn: Type.String(), address: Type.String() }),
});
export type EnrolResponse = Static<typeof EnrolResponse>;
/** POST /api/terminals/:id/enrolment-code: the one-time code, shown once and never stored. */
export const EnrolmentCodeResponse = Type.Object({ code: Type.String(), terminalId: LocationId, expiresAt: Type.Integer() });
export type EnrolmentCodeResponse = Static<typeof EnrolmentCodeResponse>;
/** A terminal's device identity (relay/src/db/TerminalKeyRepo.ts): only ever the public half of its key. */
export const TerminalKeyView = Type.Object({
  terminalId: LocationId,
  state: EnrolmentView.properties.state,
  publicKey: Nullable(Type.String()),
  keyFingerprint: Nullable(Type.String()),
  enrolledAt: Nullable(Type.Integer()),
  revokedAt: Nullable(Type.Integer()),
});
export type TerminalKeyView = Static<typeof TerminalKeyView>;
/** POST /api/terminals/:id/revoke */
export const RevokedResponse = Type.Object({ terminal: Nullable(TerminalKeyView) });
export type RevokedResponse = Static<typeof RevokedResponse>;

// ---- dispatch (relay/src/routes/dispatchRoutes.ts) ----

/** GET /api/responders: every enabled responder, with position while on duty. */
export const RespondersResponse = Type.Object({ responders: Type.Array(ResponderView) });
export type RespondersResponse = Static<typeof RespondersResponse>;
/** GET /api/calls/:id/dispatch-candidates: on-duty responders, free and nearest first. */
export const CandidatesResponse = Type.Object({ candidates: Type.Array(CandidateView) });
export type CandidatesResponse = Static<typeof CandidatesResponse>;
/** GET /api/calls/:id/dispatches; POST /api/calls/:id/dispatches (201): the ones just made. */
export const DispatchesResponse = Type.Object({ dispatches: Type.Array(DispatchView) });
export type DispatchesResponse = Static<typeof DispatchesResponse>;
/** POST /api/dispatches/:id/cancel */
export const DispatchSavedResponse = Type.Object({ dispatch: DispatchView });
export type DispatchSavedResponse = Static<typeof DispatchSavedResponse>;
/** POST /api/responders (201), PUT /api/responders/:id/profile, POST /api/responder/duty, POST /api/responder/position */
export const ResponderSavedResponse = Type.Object({ responder: ResponderView });
export type ResponderSavedResponse = Static<typeof ResponderSavedResponse>;
/** GET /api/responder/me: the signed-in responder and their open jobs. */
export const ResponderMeResponse = Type.Object({ responder: ResponderView, jobs: Type.Array(JobView) });
export type ResponderMeResponse = Static<typeof ResponderMeResponse>;
/** POST /api/responder/jobs/:id/status */
export const JobSavedResponse = Type.Object({ job: JobView });
export type JobSavedResponse = Static<typeof JobSavedResponse>;
/** GET /api/reports/response-times (the .csv twin sends the same rows as text). */
export const ResponseTimeReportResponse = Type.Object({
  period: ReportPeriod,
  from: Type.Integer(),
  to: Type.Integer(),
  /** The station's target from press to someone on scene. */
  targetMs: Type.Integer(),
  rows: Type.Array(ReportRow),
});
export type ResponseTimeReportResponse = Static<typeof ResponseTimeReportResponse>;

// ---- the district relay (relay/src/district/Federation.ts) ----

/** GET /api/district/state: the same picture /ws/district opens with. */
export const DistrictStateResponse = DistrictSnapshot;
export type DistrictStateResponse = Static<typeof DistrictStateResponse>;
/** POST /api/district/calls/:station/:id/answer, POST /api/district/terminals/:station/:id/lookin: where to take the media at the owning station. */
export const DistrictMediaResponse = Type.Object({ media: DistrictMediaTicket });
export type DistrictMediaResponse = Static<typeof DistrictMediaResponse>;

/** GET /api/updates/packages (kiosk updates, issue 10) */
export const KioskPackagesResponse = Type.Object({ packages: Type.Array(KioskPackageView) });
export type KioskPackagesResponse = Static<typeof KioskPackagesResponse>;

/** PUT /api/updates/packages: the stored package; created false when the same file was already there. */
export const KioskPackageSavedResponse = Type.Object({ package: KioskPackageView, created: Type.Boolean() });
export type KioskPackageSavedResponse = Static<typeof KioskPackageSavedResponse>;

/** GET /api/updates/rollouts, POST /api/updates/rollouts: the latest rollout of each terminal (or those just made). */
export const RolloutsResponse = Type.Object({ rollouts: Type.Array(RolloutView) });
export type RolloutsResponse = Static<typeof RolloutsResponse>;
