import Type, { type Static, type TLiteral, type TSchema, type TUnion } from 'typebox';
import { END_REASONS } from '../endReasons.ts';
import { CALL_KINDS, CALL_STATES, TERMINAL_CALL_KINDS } from '../callKinds.ts';

type LiteralTuple<T extends readonly string[]> = T extends readonly [infer H extends string, ...infer R extends readonly string[]] ? [TLiteral<H>, ...LiteralTuple<R>] : [];

/** A union of string literals from one of the runtime lists (the lists stay the single source). */
export function literals<const T extends readonly string[]>(values: T): TUnion<Extract<LiteralTuple<T>, TSchema[]>> {
  return Type.Union(values.map((v) => Type.Literal(v))) as never;
}

/** A terminal's fixed location ID, e.g. XC-SCH-001. */
export const LocationId = Type.String({ pattern: '^[A-Z0-9][A-Z0-9-]{1,31}$', description: 'fixed location ID, e.g. XC-SCH-001' });
/** Idempotency key the terminal picks for one press. */
export const RequestId = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' });
export const CallId = Type.String({ minLength: 1, maxLength: 64 });
export const MediaId = Type.String({ minLength: 1, maxLength: 64 });
export const Empty = Type.Object({}, { additionalProperties: false });
/** Opaque JSON objects produced by mediasoup / mediasoup-client; mediasoup itself checks them. */
export const RtcObject = Type.Record(Type.String(), Type.Unknown());

export const ErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

/** The wire form of EndReason (shared/src/endReasons.ts is the one list). */
export const EndReasonSchema = literals(END_REASONS);

export const CallState = literals(CALL_STATES);
export type CallState = Static<typeof CallState>;
export const MediaKind = Type.Union([Type.Literal('audio'), Type.Literal('video')]);
export const Direction = Type.Union([Type.Literal('send'), Type.Literal('recv')]);

/** What a terminal may raise: the resident's button, or its tamper switch (queued above help calls). */
export const CallKind = literals(TERMINAL_CALL_KINDS);
export type CallKind = Static<typeof CallKind>;
/** What a call record is: a terminal's call (help, tamper), or an officer's look-in at its camera (never rings). */
export const CallViewKind = literals(CALL_KINDS);
export type CallViewKind = Static<typeof CallViewKind>;

/** A terminal microphone's activity during a call (issue 11): level before processing, voice after echo removal. */
export const AudioActivityFields = {
  /** RMS of the raw microphone over the last quarter second, dBFS (−100 = silence). */
  inputDbfs: Type.Number({ minimum: -100, maximum: 0 }),
  /** The resident is speaking: the terminal's voice detector, after echo cancellation. */
  speaking: Type.Boolean(),
};
