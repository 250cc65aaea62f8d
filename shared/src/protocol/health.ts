import Type, { type Static } from 'typebox';
import { LocationId } from './common.ts';

const Num = (opts: Record<string, unknown> = {}) => Type.Union([Type.Number(opts), Type.Null()]);
const Str = (maxLength = 64) => Type.String({ maxLength });

/**
 * What a terminal reports about itself with every heartbeat. Every field is
 * nullable: a reading the terminal cannot take (no thermal zone, no modem) is
 * null rather than missing, so the fleet page can say "unknown" instead of
 * guessing. Unknown extra fields are refused so a typo cannot pass silently.
 */
/** The terminal's last software update, as its update agent recorded it (kiosk/src/update/). */
export const UpdateReport = Type.Object(
  {
    state: Type.Union([
      Type.Literal('waiting_idle'),
      Type.Literal('installing'),
      Type.Literal('confirming'),
      Type.Literal('updated'),
      Type.Literal('rolled_back'),
      Type.Literal('failed'),
    ]),
    /** The version the terminal runs (or is going to). */
    version: Str(32),
    /** For rolled_back / failed: the version that was refused, and why. */
    failedVersion: Type.Optional(Str(32)),
    reason: Type.Optional(Str(400)),
    at: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type UpdateReport = Static<typeof UpdateReport>;

export const TerminalHealth = Type.Object(
  {
    uptimeS: Type.Number({ minimum: 0 }),
    cpuTempC: Num({ minimum: -60, maximum: 200 }),
    load1: Num({ minimum: 0 }),
    memFreeMb: Num({ minimum: 0 }),
    memTotalMb: Num({ minimum: 0 }),
    diskFreeMb: Num({ minimum: 0 }),
    camera: Type.Object(
      {
        framesDelivered: Type.Integer({ minimum: 0 }),
        /** Seconds since the camera last delivered a frame (null: not since start-up). */
        lastFrameAgoS: Num({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    /** Recent microphone level in dBFS while capturing, else null. */
    micLevelDbfs: Num({ minimum: -200, maximum: 10 }),
    /** Seconds since the button was last seen working (a press or a passed self-test). */
    buttonOkAgoS: Num({ minimum: 0 }),
    /** The door switch: true while the enclosure is open. Null when no tamper input is fitted. */
    tamperOpen: Type.Union([Type.Boolean(), Type.Null()]),
    lte: Type.Union([
      Type.Object(
        {
          present: Type.Boolean(),
          rssiDbm: Num({ minimum: -150, maximum: 0 }),
          /** 0-31 from AT+CSQ (99 = unknown is sent as null). */
          csq: Num({ minimum: 0, maximum: 31 }),
          registration: Type.Union([
            Type.Literal('home'),
            Type.Literal('roaming'),
            Type.Literal('searching'),
            Type.Literal('denied'),
            Type.Literal('not_registered'),
            Type.Literal('unknown'),
          ]),
          operator: Type.Union([Str(), Type.Null()]),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    /** Round trip of the previous heartbeat, ms. */
    rttMs: Num({ minimum: 0 }),
    /** Terminal clock minus relay clock, ms (from serverTime). */
    clockOffsetMs: Num(),
    version: Str(32),
    /** Optional: terminals from before updates do not send it. */
    update: Type.Optional(UpdateReport),
  },
  { additionalProperties: false },
);
export type TerminalHealth = Static<typeof TerminalHealth>;

export const SelfTestStatus = Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('skip')]);
export type SelfTestStatus = Static<typeof SelfTestStatus>;

/** One line of a self-test: what was checked, the verdict, and a sentence a technician can act on. */
export const SelfTestLine = Type.Object(
  {
    check: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$' }),
    status: SelfTestStatus,
    detail: Type.String({ maxLength: 300 }),
    ms: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type SelfTestLine = Static<typeof SelfTestLine>;

export const SelfTestReport = Type.Object(
  {
    startedAt: Type.Integer({ minimum: 0 }),
    finishedAt: Type.Integer({ minimum: 0 }),
    trigger: Type.Union([Type.Literal('nightly'), Type.Literal('doctor'), Type.Literal('start-up')]),
    passed: Type.Boolean(),
    lines: Type.Array(SelfTestLine, { minItems: 1, maxItems: 16 }),
  },
  { additionalProperties: false },
);
export type SelfTestReport = Static<typeof SelfTestReport>;

export const AlarmKind = Type.Union([Type.Literal('tamper')]);

/** A terminal alarm (today only the door switch); kept apart from help calls on purpose. */
export const AlarmView = Type.Object({
  kind: AlarmKind,
  active: Type.Boolean(),
  raisedAt: Type.Integer(),
  clearedAt: Type.Union([Type.Integer(), Type.Null()]),
});
export type AlarmView = Static<typeof AlarmView>;

/** One terminal as the fleet page shows it. */
export const FleetEntry = Type.Object({
  terminalId: LocationId,
  online: Type.Boolean(),
  lastHeartbeatAt: Type.Union([Type.Integer(), Type.Null()]),
  /** Heartbeat arrival minus the interval the relay expects, ms (how late the last one was). */
  heartbeatLagMs: Type.Union([Type.Integer(), Type.Null()]),
  health: Type.Union([TerminalHealth, Type.Null()]),
  alarm: Type.Union([AlarmView, Type.Null()]),
  lastSelfTest: Type.Union([SelfTestReport, Type.Null()]),
});
export type FleetEntry = Static<typeof FleetEntry>;

/** One point of a terminal's health history (raw or a 5-minute aggregate). */
export const HealthPoint = Type.Object({
  at: Type.Integer(),
  cpuTempC: Type.Union([Type.Number(), Type.Null()]),
  rssiDbm: Type.Union([Type.Number(), Type.Null()]),
  rttMs: Type.Union([Type.Number(), Type.Null()]),
});
export type HealthPoint = Static<typeof HealthPoint>;
