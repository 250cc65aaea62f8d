import Type, { type Static } from 'typebox';
import { CallId, LocationId } from './common.ts';

/**
 * Presses delivered late from a terminal's outbox are stored as ended calls
 * with end reason `missed`; officers call those residents back. These are the
 * shapes of that list and of marking one as called back.
 */
export const MissedCallView = Type.Object({
  callId: CallId,
  terminalId: LocationId,
  terminalName: Type.String(),
  terminalNameEn: Type.String(),
  address: Type.String(),
  /** When the resident pressed, by the terminal's clock. */
  pressedAt: Type.Integer(),
  /** When the press reached the relay. */
  deliveredAt: Type.Integer(),
});
export type MissedCallView = Static<typeof MissedCallView>;

export const CALLED_BACK_NOTE_MAX = 500;

/** POST /api/calls/:id/called-back */
export const CalledBackBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: CALLED_BACK_NOTE_MAX })) }, { additionalProperties: false });
export type CalledBackBody = Static<typeof CalledBackBody>;

/** Who called the resident back, and when; pushed to every console as `call.calledBack`. */
export const CalledBackView = Type.Object({
  callId: CallId,
  at: Type.Integer(),
  by: Type.Object({ id: Type.Integer(), displayName: Type.String() }),
  note: Type.String(),
});
export type CalledBackView = Static<typeof CalledBackView>;
