import Type from 'typebox';
import { AudioActivityFields, CallId, CallKind, EndReasonSchema, Empty, LocationId, MediaId, RequestId, RtcObject } from './common.ts';
import { RtcRequests } from './rtc.ts';
import { ChallengeNonce, HelloSignature } from './deviceAuth.ts';
import { AlarmKind, SelfTestReport, TerminalHealth } from './health.ts';
import { DebArch, DownloadProgress, Sha256 } from './updates.ts';
import { PRE_PRESS_MAX_BEFORE_MS } from './limits.ts';

/** Requests a terminal (kiosk) sends to the relay on /ws/terminal. */
export const TerminalRequests = {
  hello: {
    data: Type.Object(
      {
        terminalId: LocationId,
        version: Type.String({ maxLength: 32 }),
        /** The nonce of this connection's auth.challenge. */
        nonce: ChallengeNonce,
        /** Ed25519 signature over helloSigningInput(terminalId, nonce) with the terminal's enrolled key. */
        signature: HelloSignature,
        /** Debian architecture of the installed package (amd64, arm64): which kiosk packages fit. Optional for older kiosks. */
        arch: Type.Optional(DebArch),
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
    doc: 'First message on every connection: which terminal this is, proven by signing the auth.challenge nonce with its enrolled key. Anything else before it is refused.',
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
    data: Type.Object(
      {
        requestId: RequestId,
        /** help (the default) or tamper (the door switch fired); tamper alarms queue above help calls. */
        kind: Type.Optional(CallKind),
        /** When the button was pressed (terminal clock, ms); set by outbox deliveries. */
        pressedAt: Type.Optional(Type.Integer({ minimum: 0 })),
        /** Delivered from the outbox after the resident stopped waiting: record a missed call, do not ring. */
        late: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    result: Type.Object({
      callId: CallId,
      created: Type.Boolean(),
      /** True when the call was recorded as missed (ended, reason `missed`) instead of ringing. */
      missed: Type.Optional(Type.Boolean()),
    }),
    doc: 'The resident pressed the button (kind help, the default) or the tamper switch fired (kind tamper). Idempotent by requestId: a retry returns the same call. With late=true the relay records a missed call for the officers to call back.',
  },
  'help.cancel': {
    data: Type.Object(
      // media_failed: the terminal's media could not be recovered after ICE restarts and re-joins.
      { callId: CallId, reason: Type.Optional(Type.Literal('media_failed')) },
      { additionalProperties: false },
    ),
    result: Empty,
    doc: 'The resident cancelled with a long press (ends the call as cancelled, or terminal_hangup once answered); with reason media_failed the terminal gave up recovering its media (the call ends as media_failed).',
  },
  'call.audioActivity': {
    data: Type.Object({ callId: CallId, ...AudioActivityFields }, { additionalProperties: false }),
    result: Empty,
    doc: "The terminal microphone's level and whether the resident is speaking (voice detected after echo cancellation), sent during a call when it changes and at least once a second. The relay passes it to the consoles that see the call as call.audioActivity.",
  },
  'call.prePressGrant': {
    data: Type.Object(
      {
        callId: CallId,
        /** How much of the clip comes from before the press (ms): the clip is listed that long before the call's press. */
        beforeMs: Type.Integer({ minimum: 0, maximum: PRE_PRESS_MAX_BEFORE_MS }),
      },
      { additionalProperties: false },
    ),
    result: Type.Object({
      /** Path on the relay, signed for this terminal and call and valid briefly: POST the WebM clip to it over the relay's HTTP(S) origin. */
      url: Type.String({ pattern: '^/api/calls/[^/]+/prepress\\?', maxLength: 400 }),
      maxBytes: Type.Integer({ minimum: 1 }),
    }),
    doc: "The terminal's camera was kept warm and someone pressed: it asks where to upload the evidence clip of the seconds around the press (kept in memory only, encoded after the press). Refused (not_your_call) for another terminal's call, and (prepress_exists) when the call already has its clip.",
  },
  'update.progress': {
    data: Type.Object(
      { sha256: Sha256, state: DownloadProgress, reason: Type.Optional(Type.String({ maxLength: 400 })) },
      { additionalProperties: false },
    ),
    result: Empty,
    doc: 'How the download of an offered package went (downloading, downloaded, or failed with a reason such as a checksum mismatch). What the update agent does next comes in the heartbeat health (update).',
  },
  ...RtcRequests,
} as const;

/** Events the relay sends to a terminal. */
export const TerminalEvents = {
  'auth.challenge': {
    data: Type.Object({ nonce: ChallengeNonce, relayTime: Type.Integer() }),
    doc: 'Sent by the relay as soon as a terminal connects: sign this nonce in hello. Single-use, valid for a short time.',
  },
  'call.answered': {
    data: Type.Object({ callId: CallId, officer: Type.Object({ displayName: Type.String() }) }),
    doc: 'An officer took the call.',
  },
  'call.officerAudio': {
    data: Type.Object({ callId: CallId, producerId: MediaId }),
    doc: "The officer's microphone is live: consume this producer and play it on the speaker.",
  },
  'lookin.started': {
    data: Type.Object({ callId: CallId }),
    doc: 'An officer is looking in: produce camera and microphone into this call (no voice prompt; the LED blinks slowly). The officer may talk (call.officerAudio); a button press ends the look-in and asks for help as usual.',
  },
  'call.helpDispatched': {
    data: Type.Object({ callId: CallId }),
    doc: 'Someone was sent to the terminal (dispatch, issue 13): tell the resident help is on the way. May come after the call ended.',
  },
  'call.ended': {
    data: Type.Object({ callId: CallId, reason: EndReasonSchema }),
    doc: 'The call is over, with the reason.',
  },
  'update.offer': {
    data: Type.Object({
      version: Type.String({ minLength: 1, maxLength: 32 }),
      /** The package's Debian architecture: a kiosk of another one refuses it before downloading. */
      architecture: DebArch,
      sha256: Sha256,
      size: Type.Integer({ minimum: 1 }),
      /** Path on the relay (with a short-lived token for this terminal): GET it over the relay's own HTTP(S) origin. */
      url: Type.String({ pattern: '^/api/updates/download/', maxLength: 400 }),
    }),
    doc: 'An admin or technician rolled a kiosk package out to this terminal (sent at once if connected, else after its next hello). The kiosk downloads it, checks size and sha256, and hands it to its update agent, which installs only while no call is on. Ignored when that version is already installed.',
  },
} as const;
