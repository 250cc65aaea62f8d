import Type, { type Static } from 'typebox';
import { CallId, CallViewKind, CallState, EndReasonSchema, LocationId, MediaId, MediaKind } from './common.ts';

/** A terminal's place: what a technician records and an officer reads (shared by the views below and rest.ts). */
export const TerminalPlaceFields = {
  id: LocationId,
  name: Type.String(),
  nameEn: Type.String(),
  address: Type.String(),
  hutong: Type.String(),
  district: Type.String(),
  kind: Type.String(),
  latitude: Type.Number(),
  longitude: Type.Number(),
  notes: Type.String(),
};

/** A terminal's location record, as the console shows it. */
export const TerminalView = Type.Object({
  ...TerminalPlaceFields,
  online: Type.Boolean(),
  lastSeenAt: Type.Union([Type.Integer(), Type.Null()]),
});
export type TerminalView = Static<typeof TerminalView>;

export const UserView = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
});
export type UserView = Static<typeof UserView>;

export const CallView = Type.Object({
  id: CallId,
  terminal: TerminalView,
  state: CallState,
  createdAt: Type.Integer(),
  answeredAt: Type.Union([Type.Integer(), Type.Null()]),
  answeredBy: Type.Union([Type.Object({ id: Type.Integer(), displayName: Type.String() }), Type.Null()]),
  endedAt: Type.Union([Type.Integer(), Type.Null()]),
  endReason: Type.Union([EndReasonSchema, Type.Null()]),
  /** The terminal's live tracks, for preview while ringing and for the call. */
  producers: Type.Array(Type.Object({ id: MediaId, kind: MediaKind })),
  /** Missed calls (end reason `missed`): when the resident pressed, by the terminal's clock. */
  pressedAt: Type.Optional(Type.Integer()),
  /** help or tamper (tamper alarms queue above help calls), or lookin: an officer opened the camera without a call. */
  kind: CallViewKind,
  /** When nobody had answered within the escalation time (supervisors get a louder alert); null if not escalated. */
  escalatedAt: Type.Union([Type.Integer(), Type.Null()]),
  /** Officers who declined this ringing call, the last one last: their consoles stop ringing for it, others ring on. Empty once answered or ended. */
  declinedBy: Type.Array(Type.Object({ id: Type.Integer(), displayName: Type.String() })),
});
export type CallView = Static<typeof CallView>;
