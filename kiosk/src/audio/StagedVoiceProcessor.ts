import type { CaptureActivity, VoiceProcessor, VoiceProcessorMetrics } from './VoiceProcessor.ts';

/** One step of a chain: an echo canceller, a noise suppressor or a gain control. */
export interface AudioStage {
  /** The speaker frame (only a stage that cancels echo needs it). */
  render?(frame: Int16Array): void;
  /** Processes the microphone frame in place; may say whether it heard voice or echo. */
  capture(frame: Int16Array): Partial<CaptureActivity>;
  metrics?(): Partial<VoiceProcessorMetrics>;
  close(): void;
}

/**
 * A VoiceProcessor made of stages from different libraries, run in order on
 * every microphone frame (echo first: the suppressors after it must not see
 * the speaker, and the gain last: it must not lift echo or noise before they
 * are removed). A later stage's voice verdict wins: it has heard the cleanest signal.
 */
export class StagedVoiceProcessor implements VoiceProcessor {
  readonly name: string;
  readonly #stages: AudioStage[];
  #closed = false;

  constructor(name: string, stages: AudioStage[]) {
    this.name = name;
    this.#stages = stages;
  }

  render(frame: Int16Array): void {
    if (this.#closed) return;
    for (const s of this.#stages) s.render?.(frame);
  }

  capture(frame: Int16Array): CaptureActivity {
    const out: CaptureActivity = { voice: false, echo: false };
    if (this.#closed) return out;
    for (const s of this.#stages) {
      const a = s.capture(frame);
      if (a.voice !== undefined) out.voice = a.voice;
      if (a.echo) out.echo = true;
    }
    return out;
  }

  metrics(): VoiceProcessorMetrics {
    const m: VoiceProcessorMetrics = { delayMs: 0, erleDb: 0 };
    if (this.#closed) return m;
    for (const s of this.#stages) Object.assign(m, s.metrics?.());
    return m;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#stages) s.close();
  }
}
