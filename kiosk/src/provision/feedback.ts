import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Led, LedMode } from '../hw/Led.ts';
import type { Speaker } from '../hw/Speaker.ts';
import { decodeWav, PROMPT_RATE, resample } from '../voice/wav.ts';
import { PROVISION_PROMPT_TEXT, type ProvisionOutcome } from './outcome.ts';

const FRAME = PROMPT_RATE / 100;

/**
 * What a technician standing at a terminal with no screen perceives during
 * provisioning: the LED and a spoken sentence (provision_<outcome>.wav, made by
 * scripts/gen-prompts.ts). Every signal is also logged, for journalctl and tests.
 */
export class ProvisionFeedback {
  readonly #led: Led;
  readonly #speaker: Speaker;
  readonly #dirs: string[];
  readonly #log: Logger;

  constructor(opts: { led: Led; speaker: Speaker; promptDirs: string[]; logger: Logger }) {
    this.#led = opts.led;
    this.#speaker = opts.speaker;
    this.#dirs = opts.promptDirs;
    this.#log = opts.logger.child({ component: 'provision-feedback' });
  }

  led(mode: LedMode): void {
    this.#led.set(mode);
    this.#log.info({ led: mode }, 'provisioning LED');
  }

  /** Plays the prompt at real-time pace and resolves when it has been played. */
  async say(prompt: ProvisionOutcome | 'working'): Promise<void> {
    const text = PROVISION_PROMPT_TEXT[prompt];
    const file = this.#dirs.map((d) => path.join(d, `provision_${prompt}.wav`)).find((f) => fs.existsSync(f));
    this.#log.info({ prompt, text, file: file ?? null }, 'voice prompt');
    if (!file) return;
    let samples: Int16Array;
    try {
      samples = resample(decodeWav(fs.readFileSync(file)));
    } catch (err) {
      this.#log.warn({ err, file }, 'prompt file unreadable; said in the log only');
      return;
    }
    const t0 = performance.now();
    for (let off = 0, i = 0; off < samples.length; off += FRAME, i++) {
      const frame = new Int16Array(FRAME);
      frame.set(samples.subarray(off, Math.min(off + FRAME, samples.length)));
      this.#speaker.write(frame, PROMPT_RATE, 1);
      const ahead = (i + 1) * 10 - (performance.now() - t0);
      if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#led.close(), this.#speaker.close()]);
  }
}
