import type { Logger } from 'pino';
import type { BackoffOptions } from '@helppoint/shared';
import { LevelMeter } from './LevelMeter.ts';
import type { Speaker, SpeakerLevel } from './Speaker.ts';
import { SupervisedProcess } from './SupervisedProcess.ts';

export interface AlsaSpeakerOptions {
  /** ALSA device, e.g. 'default' or 'plughw:CARD=Device,DEV=0'. */
  device?: string;
  /** Replaces `-f alsa <device>`; tests use `-f null -`. */
  outputArgs?: string[];
  ffmpegPath?: string;
  logger?: Logger;
  backoff?: BackoffOptions;
  killTimeoutMs?: number;
  /**
   * Audio queued for a stalled ffmpeg beyond this is dropped: playing the
   * officer's words seconds late is worse than losing a few frames.
   */
  maxBacklogMs?: number;
  now?: () => number;
}

interface Format {
  sampleRate: number;
  channels: number;
}

/** Plays PCM through an ffmpeg child writing to ALSA, and meters it. */
export class AlsaSpeaker implements Speaker {
  #opts: AlsaSpeakerOptions;
  #logger: Logger | undefined;
  #meter: LevelMeter;
  #process: SupervisedProcess | null = null;
  #format: Format | null = null;
  #dropped = 0;
  #closed = false;

  constructor(opts: AlsaSpeakerOptions = {}) {
    this.#opts = opts;
    this.#logger = opts.logger?.child({ component: 'speaker' });
    this.#meter = new LevelMeter({ now: opts.now });
  }

  get level(): SpeakerLevel {
    return this.#meter.level;
  }

  /** Frames not played because the player was down or behind. */
  get framesDropped(): number {
    return this.#dropped;
  }

  get pid(): number | null {
    return this.#process?.pid ?? null;
  }

  get spawnCount(): number {
    return this.#process?.spawnCount ?? 0;
  }

  write(samples: Int16Array, sampleRate: number, channels: number): void {
    if (this.#closed) return;
    // Metered before playback, so the level shows what arrived even if the
    // sound card is gone.
    this.#meter.record(samples);
    const proc = this.#ensureProcess({ sampleRate, channels });
    const maxBacklogBytes = ((this.#opts.maxBacklogMs ?? 300) / 1000) * sampleRate * channels * 2;
    if (!proc.ensureRunning() || proc.stdinBacklog > maxBacklogBytes) {
      this.#dropped += 1;
      return;
    }
    // Copy: the caller (an RTCAudioSink) may reuse its buffer before the pipe drains.
    proc.writeStdin(new Uint8Array(samples.buffer.slice(samples.byteOffset, samples.byteOffset + samples.byteLength)));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const proc = this.#process;
    this.#process = null;
    if (proc) await proc.stop();
  }

  #ensureProcess(format: Format): SupervisedProcess {
    const current = this.#process;
    if (current && this.#format && this.#format.sampleRate === format.sampleRate && this.#format.channels === format.channels) {
      return current;
    }
    if (current) {
      this.#logger?.info({ from: this.#format, to: format }, 'audio format changed; restarting player');
      current.stop().catch((err: unknown) => this.#logger?.warn({ err }, 'stopping old player failed'));
    }
    this.#format = format;
    const proc = new SupervisedProcess({
      command: this.#opts.ffmpegPath ?? 'ffmpeg',
      args: [
        '-hide_banner', '-loglevel', 'error',
        // Raw PCM needs no probing; skipping it avoids buffering the first words.
        '-probesize', '32', '-analyzeduration', '0', '-fflags', 'nobuffer',
        '-f', 's16le', '-ar', String(format.sampleRate), '-ac', String(format.channels),
        '-i', 'pipe:0',
        ...(this.#opts.outputArgs ?? ['-f', 'alsa', this.#opts.device ?? 'default']),
      ],
      name: 'speaker',
      logger: this.#logger,
      stdin: true,
      // Restarted from write(): no audio to play, no reason to respawn.
      autoRestart: false,
      backoff: this.#opts.backoff,
      killTimeoutMs: this.#opts.killTimeoutMs,
    });
    this.#process = proc;
    proc.start().catch((err: unknown) => {
      this.#logger?.error({ err }, 'cannot start audio player');
    });
    return proc;
  }
}
