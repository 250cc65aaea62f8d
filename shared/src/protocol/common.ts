import Type from 'typebox';

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

export const EndReasonSchema = Type.Union([
  Type.Literal('officer_hangup'),
  Type.Literal('terminal_hangup'),
  Type.Literal('cancelled'),
  Type.Literal('no_answer'),
  Type.Literal('terminal_lost'),
  Type.Literal('max_duration'),
  Type.Literal('media_failed'),
  Type.Literal('relay_restart'),
  Type.Literal('missed'),
]);

export const CallState = Type.Union([Type.Literal('ringing'), Type.Literal('answered'), Type.Literal('ended')]);
export const MediaKind = Type.Union([Type.Literal('audio'), Type.Literal('video')]);
export const Direction = Type.Union([Type.Literal('send'), Type.Literal('recv')]);

/** What raised the call: the resident's button, or the terminal's tamper switch (queued above help calls). */
export const CallKind = Type.Union([Type.Literal('help'), Type.Literal('tamper')]);
/** What a call record is: a terminal's call (help, tamper), or an officer's look-in at its camera (never rings). */
export const CallViewKind = Type.Union([Type.Literal('help'), Type.Literal('tamper'), Type.Literal('lookin')]);

/** A terminal microphone's activity during a call (issue 11): level before processing, voice after echo removal. */
export const AudioActivityFields = {
  /** RMS of the raw microphone over the last quarter second, dBFS (−100 = silence). */
  inputDbfs: Type.Number({ minimum: -100, maximum: 0 }),
  /** The resident is speaking: the terminal's voice detector, after echo cancellation. */
  speaking: Type.Boolean(),
};
