export type RingMode = 'off' | 'loud' | 'soft' | 'urgent';

const VOLUME: Record<Exclude<RingMode, 'off'>, number> = { loud: 0.32, soft: 0.07, urgent: 0.7 };
type Burst = readonly { at: number; hz: number; dur: number }[];
/** One ring: a rising-falling two-tone burst, repeated every PERIOD_S. */
const BURST: Burst = [
  { at: 0, hz: 880, dur: 0.16 },
  { at: 0.2, hz: 660, dur: 0.16 },
  { at: 0.4, hz: 880, dur: 0.16 },
  { at: 0.6, hz: 660, dur: 0.16 },
];
const PERIOD_S = 1.8;
/** Escalated (supervisors): a higher, faster siren-like pattern that cannot be mistaken for the normal ring. */
const URGENT_BURST: Burst = [
  { at: 0, hz: 1320, dur: 0.12 },
  { at: 0.14, hz: 990, dur: 0.12 },
  { at: 0.28, hz: 1320, dur: 0.12 },
  { at: 0.42, hz: 990, dur: 0.12 },
  { at: 0.56, hz: 1320, dur: 0.12 },
  { at: 0.7, hz: 990, dur: 0.12 },
];
const URGENT_PERIOD_S = 0.9;
/** Bursts are scheduled this far ahead on the audio clock, so a throttled background timer cannot gap the ring. */
const AHEAD_S = 20;
/** When the rest of the look-ahead is scheduled after a ring starts (less than the shortest first burst). */
export const REST_AFTER_MS = 400;

/**
 * The ringtone, synthesised with WebAudio (no asset to load or fail). Browsers
 * only let an AudioContext run after a user gesture, so unlock() is called
 * from the login click and from any click on the page.
 */
export class Ringer {
  #ctx: AudioContext | null = null;
  #mode: RingMode = 'off';
  #bus: GainNode | null = null;
  #tones: { osc: OscillatorNode; endsAt: number }[] = [];
  #scheduledUntil = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  #rest: ReturnType<typeof setTimeout> | null = null;
  onUnlockChange: () => void = () => {};

  /** Must run inside a user gesture (click, keydown) to be allowed. */
  unlock(): void {
    try {
      if (!this.#ctx) {
        this.#ctx = new AudioContext();
        this.#ctx.addEventListener('statechange', () => {
          this.onUnlockChange();
          if (this.unlocked && this.#mode !== 'off' && !this.#bus) this.#start();
        });
      }
      if (this.#ctx.state === 'suspended') void this.#ctx.resume();
    } catch (error) {
      console.warn('no WebAudio for the ringtone', error);
    }
  }

  get unlocked(): boolean {
    return this.#ctx?.state === 'running';
  }

  get mode(): RingMode {
    return this.#mode;
  }

  /** Whether the ringtone is actually sounding (mode on and audio allowed). */
  get sounding(): boolean {
    return this.#bus !== null;
  }

  setMode(mode: RingMode): void {
    if (mode === this.#mode) return;
    const wasOn = this.#mode !== 'off';
    const patternChanged = (this.#mode === 'urgent') !== (mode === 'urgent');
    this.#mode = mode;
    if (mode === 'off') this.#stop();
    else if (!wasOn || !this.#bus || patternChanged) this.#start();
    else this.#bus.gain.setTargetAtTime(VOLUME[mode], this.#ctx?.currentTime ?? 0, 0.05);
  }

  close(): void {
    this.#stop();
    this.#mode = 'off';
    void this.#ctx?.close();
    this.#ctx = null;
  }

  #start(): void {
    const ctx = this.#ctx;
    if (!ctx || ctx.state !== 'running' || this.#mode === 'off') return;
    this.#stop();
    const bus = ctx.createGain();
    bus.gain.value = VOLUME[this.#mode];
    bus.connect(ctx.destination);
    this.#bus = bus;
    this.#scheduledUntil = ctx.currentTime + 0.05;
    // Only the first burst now: a ring starts in the same task that draws its card, and making the
    // whole look-ahead's hundred nodes there held the card back by 3–50 ms. The rest follows once the
    // call's media is set up: filled in the next task, it ran (2–5 ms) ahead of the relay's consumer
    // offer, which waits behind it (profile-console-ring --tasks). The first burst lasts 0.9 s or more.
    this.#fill(this.#mode === 'urgent' ? URGENT_PERIOD_S : PERIOD_S);
    this.#rest = setTimeout(() => this.#fill(), REST_AFTER_MS);
    this.#timer = setInterval(() => this.#fill(), 5_000);
  }

  /** Schedules bursts until aheadS seconds past the audio clock's now. */
  #fill(aheadS = AHEAD_S): void {
    const ctx = this.#ctx;
    const bus = this.#bus;
    if (!ctx || !bus) return;
    this.#tones = this.#tones.filter((t) => t.endsAt > ctx.currentTime);
    const urgent = this.#mode === 'urgent';
    while (this.#scheduledUntil < ctx.currentTime + aheadS) {
      const t0 = Math.max(this.#scheduledUntil, ctx.currentTime + 0.02);
      for (const tone of urgent ? URGENT_BURST : BURST) {
        const osc = ctx.createOscillator();
        const env = ctx.createGain();
        osc.type = 'square';
        osc.frequency.value = tone.hz;
        const start = t0 + tone.at;
        const end = start + tone.dur;
        // Short ramps avoid clicks at the edges of each tone.
        env.gain.setValueAtTime(0, start);
        env.gain.linearRampToValueAtTime(1, start + 0.01);
        env.gain.setValueAtTime(1, end - 0.02);
        env.gain.linearRampToValueAtTime(0, end);
        osc.connect(env).connect(bus);
        osc.start(start);
        osc.stop(end);
        this.#tones.push({ osc, endsAt: end });
      }
      this.#scheduledUntil = t0 + (urgent ? URGENT_PERIOD_S : PERIOD_S);
    }
  }

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#rest) clearTimeout(this.#rest);
    this.#rest = null;
    for (const { osc } of this.#tones) {
      try {
        osc.stop();
      } catch {
        // already stopped
      }
    }
    this.#tones = [];
    this.#bus?.disconnect();
    this.#bus = null;
  }
}
