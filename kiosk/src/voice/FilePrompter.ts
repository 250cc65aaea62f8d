import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Prompt } from '../call/CallMachine.ts';
import type { VoicePrompter } from '../call/CallController.ts';
import { PROMPT_TEXT } from '../call/LogPrompter.ts';
import type { Speaker } from '../hw/Speaker.ts';
import { PROMPT_RATE, decodeWav, resample } from './wav.ts';

/** 10 ms at 48 kHz: the same frame size the call's audio uses. */
const FRAME = PROMPT_RATE / 100;

export interface PromptStatus {
  lastPrompt: Prompt | null;
  /** The text that was (or would have been) spoken. */
  lastText: string | null;
  /** Where the audio came from: a file, or only the log (no file for it). */
  lastSource: 'file' | 'text' | null;
  lastFile: string | null;
  playing: boolean;
  framesPlayed: number;
  /** Prompts that have an audio file, and where it was found. */
  files: Partial<Record<Prompt, string>>;
}

export interface FilePrompterOptions {
  speaker: Speaker;
  /** Searched in order for `<prompt>.wav`: a station's recordings first, then the generated ones. */
  dirs: string[];
  logger: Logger;
  /** Test seam for the 10 ms pacing. */
  setInterval?: typeof setInterval;
}

/**
 * Speaks prompts to the resident by playing WAV files through the speaker in
 * 10 ms frames. Files are read once at start; a prompt without a (readable)
 * file falls back to logging its text, so a terminal with no prompt files
 * still works. A new prompt cuts the one playing.
 */
export class FilePrompter implements VoicePrompter {
  readonly #speaker: Speaker;
  readonly #log: Logger;
  readonly #pcm = new Map<Prompt, { samples: Int16Array; file: string }>();
  readonly #setInterval: typeof setInterval;
  #timer: ReturnType<typeof setInterval> | null = null;
  #status: PromptStatus = { lastPrompt: null, lastText: null, lastSource: null, lastFile: null, playing: false, framesPlayed: 0, files: {} };

  constructor(opts: FilePrompterOptions) {
    this.#speaker = opts.speaker;
    this.#log = opts.logger.child({ component: 'voice' });
    this.#setInterval = opts.setInterval ?? setInterval;
    for (const prompt of Object.keys(PROMPT_TEXT) as Prompt[]) {
      for (const dir of opts.dirs) {
        const file = path.join(dir, `${prompt}.wav`);
        if (!fs.existsSync(file)) continue;
        try {
          this.#pcm.set(prompt, { samples: resample(decodeWav(fs.readFileSync(file))), file });
          this.#status.files[prompt] = file;
          break;
        } catch (error) {
          this.#log.warn({ err: error, file }, 'prompt file unusable: trying the next folder');
        }
      }
    }
    const missing = (Object.keys(PROMPT_TEXT) as Prompt[]).filter((p) => !this.#pcm.has(p));
    if (missing.length) this.#log.warn({ missing, dirs: opts.dirs }, 'no audio for some prompts: they are only logged');
  }

  get status(): PromptStatus {
    return { ...this.#status, files: { ...this.#status.files } };
  }

  say(prompt: Prompt): void {
    this.#stop();
    const text = PROMPT_TEXT[prompt];
    const audio = this.#pcm.get(prompt);
    this.#status = { ...this.#status, lastPrompt: prompt, lastText: text, lastSource: audio ? 'file' : 'text', lastFile: audio?.file ?? null, framesPlayed: 0 };
    this.#log.info({ prompt, text, file: audio?.file ?? null }, 'voice prompt');
    if (!audio) return;
    const started = Date.now();
    let next = 0;
    this.#status.playing = true;
    // Catch up by wall clock so a late timer does not stretch the prompt.
    const pump = () => {
      const due = Math.min(audio.samples.length, Math.ceil(((Date.now() - started) / 1000) * PROMPT_RATE) + FRAME);
      while (next < due) {
        const end = Math.min(next + FRAME, audio.samples.length);
        const frame = new Int16Array(FRAME);
        frame.set(audio.samples.subarray(next, end));
        this.#speaker.write(frame, PROMPT_RATE, 1);
        this.#status.framesPlayed++;
        next = end;
      }
      if (next >= audio.samples.length) this.#stop();
    };
    this.#timer = this.#setInterval(pump, 10);
    pump();
  }

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#status.playing = false;
  }

  close(): void {
    this.#stop();
  }
}
