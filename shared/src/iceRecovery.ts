import { Backoff } from './backoff.ts';

/** The part of a pino logger recovery needs (the console passes a console-backed one). */
export interface RecoveryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface IceRecoveryOptions {
  /** Which transport this watches, for the logs ('send' / 'recv'). */
  label: string;
  log: RecoveryLog;
  /** Asks the relay for fresh ICE parameters and restarts the local ICE agent with them. */
  restartIce: () => Promise<void>;
  /** Closes the transport and builds it again with its producers / consumers. */
  rejoin: () => Promise<void>;
  /** Every re-join failed: the caller decides (the kiosk ends the call as media_failed). */
  giveUp: () => void;
  /** `disconnected` often heals by itself (a lost burst, a Wi-Fi roam): wait this long first. */
  graceMs?: number;
  /** How long an ICE restart or a re-join may take to reach `connected`. */
  connectTimeoutMs?: number;
  /** Re-joins before giving up. */
  maxRejoins?: number;
  /** Delay between re-joins (capped, with jitter). */
  backoff?: Backoff;
}

type Phase = 'ok' | 'grace' | 'restarting' | 'rejoining' | 'gave_up' | 'closed';

/**
 * Recovers one media transport when its network breaks, without anybody
 * pressing anything: `disconnected` for longer than a grace period, or
 * `failed`, leads to an ICE restart; if the transport is still not
 * connected after a bound, it is re-joined (closed and built again), with
 * capped backoff between attempts, and after `maxRejoins` the caller is told
 * to give up. Pure timers and callbacks, so the kiosk (wrtc) and the console
 * (browser) share it and it is unit-tested with fake timers.
 * Feed it the connection state of the transport currently in use.
 */
export class IceRecovery {
  readonly #opts: Required<Omit<IceRecoveryOptions, 'backoff'>> & { backoff: Backoff };
  #phase: Phase = 'ok';
  #timer: ReturnType<typeof setTimeout> | null = null;
  #rejoins = 0;
  #restarts = 0;
  #startedAt = 0;

  constructor(opts: IceRecoveryOptions) {
    this.#opts = {
      graceMs: 2500,
      connectTimeoutMs: 10_000,
      maxRejoins: 5,
      ...opts,
      backoff: opts.backoff ?? new Backoff({ initialMs: 1000, maxMs: 8000 }),
    };
  }

  get phase(): Phase {
    return this.#phase;
  }
  get restarts(): number {
    return this.#restarts;
  }
  get rejoins(): number {
    return this.#rejoins;
  }

  /** The watched transport's connectionstatechange. */
  stateChanged(state: string): void {
    if (this.#phase === 'closed' || this.#phase === 'gave_up') return;
    if (state === 'connected') {
      if (this.#phase !== 'ok') this.#opts.log.info({ transport: this.#opts.label, phase: this.#phase, ms: Date.now() - this.#startedAt, restarts: this.#restarts, rejoins: this.#rejoins }, 'media transport recovered');
      this.#clearTimer();
      this.#phase = 'ok';
      this.#opts.backoff.reset();
      return;
    }
    if (this.#phase === 'grace' && state === 'failed') return void this.#restart();
    if (this.#phase !== 'ok') return; // already recovering: its own deadline decides what is next
    if (state === 'disconnected') {
      this.#phase = 'grace';
      this.#startedAt = Date.now();
      this.#opts.log.warn({ transport: this.#opts.label, graceMs: this.#opts.graceMs }, 'media transport disconnected: waiting before an ICE restart');
      this.#arm(this.#opts.graceMs, () => this.#restart());
    } else if (state === 'failed') {
      this.#startedAt = Date.now();
      void this.#restart();
    }
  }

  /** Nothing is left to recover (e.g. a re-joined receive transport has nothing to receive yet). */
  reset(): void {
    if (this.#phase === 'closed') return;
    this.#clearTimer();
    this.#phase = 'ok';
    this.#opts.backoff.reset();
  }

  /** The call is over: no more timers, no more callbacks. May be called twice. */
  close(): void {
    this.#clearTimer();
    this.#phase = 'closed';
  }

  async #restart(): Promise<void> {
    if (this.#phase === 'closed') return;
    this.#phase = 'restarting';
    this.#restarts++;
    this.#opts.log.warn({ transport: this.#opts.label, restart: this.#restarts }, 'media transport down: restarting ICE');
    this.#arm(this.#opts.connectTimeoutMs, () => this.#rejoin('ICE restart did not reconnect in time'));
    try {
      await this.#opts.restartIce();
    } catch (error) {
      if (this.#phase !== 'restarting') return;
      this.#clearTimer();
      await this.#rejoin(`ICE restart refused: ${messageOf(error)}`);
    }
  }

  async #rejoin(why: string): Promise<void> {
    if (this.#phase === 'closed' || this.#phase === 'gave_up' || this.#phase === 'ok') return;
    if (this.#rejoins >= this.#opts.maxRejoins) {
      this.#clearTimer();
      this.#phase = 'gave_up';
      this.#opts.log.warn({ transport: this.#opts.label, rejoins: this.#rejoins, ms: Date.now() - this.#startedAt }, 'media transport could not be recovered: giving up');
      try {
        this.#opts.giveUp();
      } catch (error) {
        this.#opts.log.warn({ transport: this.#opts.label, err: messageOf(error) }, 'giving up failed');
      }
      return;
    }
    this.#phase = 'rejoining';
    this.#rejoins++;
    const delay = this.#rejoins === 1 ? 0 : this.#opts.backoff.next();
    this.#opts.log.warn({ transport: this.#opts.label, rejoin: this.#rejoins, delayMs: delay, why }, 'media transport re-joining');
    if (delay === 0) return this.#attemptRejoin();
    this.#arm(delay, () => this.#attemptRejoin());
  }

  async #attemptRejoin(): Promise<void> {
    if (this.#phase !== 'rejoining') return;
    // The deadline covers the re-join itself (signalling may be slow too).
    this.#arm(this.#opts.connectTimeoutMs, () => this.#rejoin('re-joined transport did not connect in time'));
    try {
      await this.#opts.rejoin();
    } catch (error) {
      if (this.#phase !== 'rejoining') return;
      this.#clearTimer();
      await this.#rejoin(`re-join failed: ${messageOf(error)}`);
    }
  }

  #arm(ms: number, fn: () => void | Promise<void>): void {
    this.#clearTimer();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void fn();
    }, ms);
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
