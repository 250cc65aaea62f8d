import type { Camera } from '../hw/Camera.ts';
import type { Led, LedMode } from '../hw/Led.ts';
import { MIC_FRAME_SAMPLES, MIC_SAMPLE_RATE, type Microphone } from '../hw/Microphone.ts';
import type { Modem } from '../hw/Modem.ts';
import type { Speaker } from '../hw/Speaker.ts';
import type { Tamper } from '../hw/Tamper.ts';
import { judgeFrames, sampleLuma, type LumaSample } from './frameCheck.ts';
import type { Check, CheckContext } from './SelfTest.ts';
import { toneFrame, toneLevelDbfs } from './toneDetect.ts';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

export interface SpeakerMicOptions {
  speaker: Speaker;
  microphone: Microphone;
  /** Tried in order until the microphone hears the tone ("retry louder"). */
  levelsDbfs?: number[];
  frequencyHz?: number;
  toneMs?: number;
  /** The tone counts as heard at or above this level at the microphone. */
  detectDbfs?: number;
}

/**
 * Plays a 1 kHz tone on the speaker and listens for it on the microphone,
 * louder each try, like an intercom's tone test. Proves the whole audio path
 * at the terminal: amplifier, speaker, microphone, capture.
 */
export function speakerMicCheck(o: SpeakerMicOptions): Check {
  const levels = o.levelsDbfs ?? [-30, -20, -10];
  const freq = o.frequencyHz ?? 1000;
  const toneMs = o.toneMs ?? 400;
  const detect = o.detectDbfs ?? -55;
  return {
    name: 'speaker-mic',
    title: '扬声器与麦克风 Speaker + microphone',
    timeoutMs: levels.length * (toneMs + 1500) + 2000,
    async run(ctx: CheckContext) {
      const heard: string[] = [];
      for (const level of levels) {
        if (ctx.signal.aborted) break;
        const captured: Int16Array[] = [];
        let recording = false;
        try {
          await o.microphone.start((pcm) => {
            if (recording) captured.push(pcm);
          });
        } catch (err) {
          return { status: 'fail', detail: `microphone would not start: ${err instanceof Error ? err.message : String(err)}` };
        }
        try {
          await sleep(100, ctx.signal); // let capture settle before the tone
          recording = true;
          let phase = 0;
          const frames = Math.ceil(toneMs / 10);
          const t0 = performance.now();
          for (let i = 0; i < frames && !ctx.signal.aborted; i++) {
            const frame = new Int16Array(MIC_FRAME_SAMPLES);
            phase = toneFrame(frame, freq, MIC_SAMPLE_RATE, level, phase);
            o.speaker.write(frame, MIC_SAMPLE_RATE, 1);
            // Real-time pace: a speaker fed faster than it plays would buffer and drop.
            const ahead = (i + 1) * 10 - (performance.now() - t0);
            if (ahead > 0) await sleep(ahead, ctx.signal);
          }
          await sleep(150, ctx.signal); // the tail still in flight through the room
        } finally {
          recording = false;
          await o.microphone.stop();
        }
        const all = new Int16Array(captured.reduce((n, c) => n + c.length, 0));
        let off = 0;
        for (const c of captured) {
          all.set(c, off);
          off += c.length;
        }
        const got = toneLevelDbfs(all, freq, MIC_SAMPLE_RATE);
        heard.push(`${level} dBFS → ${got.toFixed(1)}`);
        if (got >= detect) return { status: 'pass', detail: `tone played at ${level} dBFS heard at ${got.toFixed(1)} dBFS` };
      }
      if (ctx.signal.aborted) return { status: 'skip', detail: 'interrupted' };
      return { status: 'fail', detail: `test tone not heard (${heard.join('; ')}; need ≥ ${detect}): speaker, amplifier or microphone faulty` };
    },
  };
}

export interface CameraCheckOptions {
  camera: Camera;
  /** Watch the picture this long once frames flow. */
  watchMs?: number;
  /** No first frame within this long: the camera is not delivering. */
  firstFrameMs?: number;
}

/** Grabs frames and checks the picture is neither black nor frozen. */
export function cameraCheck(o: CameraCheckOptions): Check {
  const watchMs = o.watchMs ?? 1500;
  const firstFrameMs = o.firstFrameMs ?? 5000;
  return {
    name: 'camera',
    title: '摄像头 Camera',
    timeoutMs: watchMs + firstFrameMs + 3000,
    async run(ctx) {
      const samples: LumaSample[] = [];
      let lastSampleAt = 0;
      let first: number | null = null;
      const t0 = performance.now();
      try {
        await o.camera.start((frame) => {
          const now = performance.now();
          first ??= now;
          // About 5 samples a second is plenty, and keeps the work small at 30 fps.
          if (now - lastSampleAt >= 180) {
            lastSampleAt = now;
            samples.push(sampleLuma(frame));
          }
        });
      } catch (err) {
        return { status: 'fail', detail: `camera would not start: ${err instanceof Error ? err.message : String(err)}` };
      }
      try {
        while (!ctx.signal.aborted) {
          const now = performance.now();
          if (first === null && now - t0 > firstFrameMs) break;
          if (first !== null && now - first >= watchMs) break;
          await sleep(50, ctx.signal);
        }
      } finally {
        await o.camera.stop();
      }
      if (ctx.signal.aborted) return { status: 'skip', detail: 'interrupted' };
      if (first === null) return { status: 'fail', detail: `no picture within ${firstFrameMs} ms: camera not delivering` };
      const v = judgeFrames(samples);
      const stats = `mean luma ${v.meanLuma.toFixed(0)}, motion ${v.motion.toFixed(2)}, ${samples.length} frames sampled`;
      if (v.problem === 'black') return { status: 'fail', detail: `picture is black (lens covered or sensor dead; ${stats})` };
      if (v.problem === 'frozen') return { status: 'fail', detail: `picture is frozen: frames do not change (${stats})` };
      if (v.problem === 'no_frames') return { status: 'fail', detail: `too few frames (${stats})` };
      return { status: 'pass', detail: `live picture (${stats})` };
    },
  };
}

/** Cycles the LED through its modes and back, so someone watching sees every state work. */
export function ledCheck(o: { led: Led; stepMs?: number }): Check {
  const step = o.stepMs ?? 400;
  return {
    name: 'led',
    title: '指示灯 LED',
    async run(ctx) {
      const before: LedMode = o.led.mode;
      const modes: LedMode[] = ['on', 'off', 'blink-fast', 'on'];
      try {
        for (const m of modes) {
          if (ctx.signal.aborted) break;
          o.led.set(m);
          await sleep(step, ctx.signal);
        }
      } finally {
        o.led.set(before);
      }
      // The driver cannot see light: a person at the terminal confirms.
      return { status: 'pass', detail: `cycled on → off → fast blink → on; watch that the light followed` };
    },
  };
}

/** "Press the button now", for the technician at the terminal. */
export function buttonCheck(o: { waitForPress: (timeoutMs: number, signal: AbortSignal) => Promise<boolean>; timeoutMs?: number }): Check {
  const timeoutMs = o.timeoutMs ?? 20_000;
  return {
    name: 'button',
    title: '求助按钮 Button',
    timeoutMs: timeoutMs + 1000,
    async run(ctx) {
      ctx.prompt(`请按一下求助按钮 Press the help button now (${Math.round(timeoutMs / 1000)} s)`);
      const t0 = performance.now();
      const pressed = await o.waitForPress(timeoutMs, ctx.signal);
      return pressed
        ? { status: 'pass', detail: `press seen after ${Math.round(performance.now() - t0)} ms` }
        : { status: 'fail', detail: `no press within ${Math.round(timeoutMs / 1000)} s: button, wiring or GPIO faulty` };
    },
  };
}

/** The relay answers over HTTP (the same host the signalling uses). */
export function relayCheck(o: { relayUrl: string; connected?: () => boolean; timeoutMs?: number }): Check {
  const timeoutMs = o.timeoutMs ?? 5000;
  const base = o.relayUrl.replace(/^ws/, 'http').replace(/\/ws\/terminal\/?$/, '');
  return {
    name: 'relay',
    title: '指挥服务器连通 Relay reachable',
    timeoutMs: timeoutMs + 1000,
    async run(ctx) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${base}/healthz`, { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]) });
        const ms = Math.round(performance.now() - t0);
        if (!res.ok) return { status: 'fail', detail: `relay at ${base} answered HTTP ${res.status} in ${ms} ms` };
        const linked = o.connected ? (o.connected() ? '; signalling connected' : '; signalling NOT connected') : '';
        if (o.connected && !o.connected()) return { status: 'fail', detail: `relay reachable in ${ms} ms${linked}` };
        return { status: 'pass', detail: `relay reachable in ${ms} ms${linked}` };
      } catch (err) {
        return { status: 'fail', detail: `relay at ${base} unreachable: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
  };
}

/** The LTE modem answers and is registered on a network. */
export function modemCheck(o: { modem: Modem }): Check {
  return {
    name: 'modem',
    title: '4G 模块 LTE modem',
    async run() {
      const s = await o.modem.poll();
      if (!s.present) return { status: 'fail', detail: 'modem not answering AT commands' };
      const signal = s.rssiDbm === null ? 'signal unknown' : `${s.rssiDbm} dBm (CSQ ${s.csq})`;
      if (s.registration !== 'home' && s.registration !== 'roaming') return { status: 'fail', detail: `not registered (${s.registration}); ${signal}` };
      return { status: 'pass', detail: `${s.registration} on ${s.operator ?? 'unknown operator'}, ${signal}` };
    },
  };
}

/**
 * The button and door-loop wiring as the drivers see it, without anyone at
 * the terminal: a button line stuck "pressed" (shorted, no pull-up) and a
 * door loop that reads cut or shorted fail; an open door while a technician
 * works is expected and only noted.
 */
export function wiringCheck(o: { button: { readonly fault?: string | null }; tamper: Tamper | null }): Check {
  return {
    name: 'wiring',
    title: '按钮与门磁接线 Button + door wiring',
    async run() {
      const problems: string[] = [];
      const notes: string[] = [];
      if (o.button.fault) problems.push(o.button.fault);
      else notes.push('button line idle');
      if (o.tamper) {
        const c = o.tamper.condition ?? (o.tamper.open === null ? null : o.tamper.open ? 'open' : 'closed');
        if (c === 'cut') problems.push('door loop reads CUT (both contacts open): wire or switch missing');
        else if (c === 'short') problems.push('door loop reads SHORTED (both contacts at ground): wire shorted');
        else if (c === null) problems.push('door loop cannot be read');
        else notes.push(c === 'open' ? 'door open (close it to test the loop)' : 'door loop closed');
      }
      if (problems.length) return { status: 'fail', detail: problems.join('; ').slice(0, 300) };
      return { status: 'pass', detail: notes.join('; ') };
    },
  };
}
