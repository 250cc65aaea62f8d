/**
 * Call audio processing benchmark (issue 11): the kiosk's CallAudio chain
 * (echo canceller → noise suppressor → AGC, limiter on the speaker; the engine chosen with
 * --aec / --ns-engine, by default the kiosk's) over Mandarin speech
 * from espeak-ng through the simulated room's echo path (delay, decaying
 * reflections, loudspeaker distortion), street noise and speech-shaped noise.
 * Offline and deterministic: frames are processed in lock step, as fast as
 * the CPU allows, so the figures do not depend on the machine's load (CPU
 * time does).
 *   node scripts/bench-audio.ts [--aec speex+webrtc] [--ns-engine webrtc] [--delays 10,40,120] [--losses 0,10] [--dry-run]
 */
import { ECHO_CANCELLERS, engineName, loadVoiceEngine, NOISE_SUPPRESSORS, type EchoCancellerName, type NoiseSuppressorName } from '../kiosk/src/audio/voiceEngines.ts';
import { DEFAULT_VOICE_ENGINE } from '../kiosk/src/audio/audioConfig.ts';
import { EchoPath } from '../kiosk/src/audio/EchoPath.ts';
import { SpeechShapedNoise, StreetNoise, type NoiseSource } from '../kiosk/src/audio/noise.ts';
import type { VoiceProcessorFactory } from '../kiosk/src/audio/VoiceProcessor.ts';
import { db, energy, measureChainCpu, runChain } from './lib/audio/chain.ts';
import { loopTo, normalizeActive, OFFICER_TEXT, OFFICER_VOICE, RESIDENT_TEXT, RESIDENT_VOICE, speak } from './lib/audio/speech.ts';
import { parseArgs } from './lib/bench/args.ts';
import { machineInfo } from './lib/bench/machine.ts';
import { mdTable, publish } from './lib/bench/report.ts';
import { fmt } from './lib/bench/stats.ts';

const USAGE = `usage: bench-audio [--aec ${ECHO_CANCELLERS.join('|')}] [--ns-engine ${NOISE_SUPPRESSORS.join('|')}] [--delays 10,40,120] [--losses 0,10] [--suppression 0|1|2] [--ns 0..3] [--agc=false] [--delay-hint MS] [--echo-tail MS] [--distortion 0.2] [--arm64-factor 5] [--dry-run]`;
const args = parseArgs(process.argv.slice(2), { aec: DEFAULT_VOICE_ENGINE.echo as string, nsEngine: DEFAULT_VOICE_ENGINE.noise as string, delays: '10,40,120', losses: '0,10', suppression: -1, delayHint: -1, echoTail: -1, distortion: 0.2, ns: -1, agc: true, transient: false, arm64Factor: 5, dryRun: false }, USAGE);
const numList = (raw: string, name: string) => {
  const list = raw.split(',').map((x) => Number(x.trim()));
  if (!list.length || list.some((x) => !Number.isFinite(x) || x < 0)) throw new Error(`--${name} must be non-negative numbers separated by commas\n${USAGE}`);
  return list;
};
const delays = numList(args.delays, 'delays');
const losses = numList(args.losses, 'losses');
if (!(args.distortion >= 0 && args.distortion <= 1)) throw new Error(`--distortion must be 0..1, got ${args.distortion}\n${USAGE}`);

const RATE = 48000;
const S = (seconds: number) => Math.round(seconds * RATE);
const TARGET = { attDb: 40, convS: 1, reconvS: 1, dtLossDb: 6, nsGainDb: 10, nsLossDb: 3 };
/** Levels: the officer at the speaker, the resident at the microphone (an elderly resident, softly), the enclosure's own noise floor. */
const OFFICER_DBFS = -20;
const RESIDENT_DBFS = -28;
const FLOOR_DBFS = -85;

const machine = machineInfo();
if (!(ECHO_CANCELLERS as readonly string[]).includes(args.aec)) throw new Error(`--aec must be one of ${ECHO_CANCELLERS.join(', ')}, got "${args.aec}"\n${USAGE}`);
if (!(NOISE_SUPPRESSORS as readonly string[]).includes(args.nsEngine)) throw new Error(`--ns-engine must be one of ${NOISE_SUPPRESSORS.join(', ')}, got "${args.nsEngine}"\n${USAGE}`);
const choice = { echo: args.aec as EchoCancellerName, noise: args.nsEngine as NoiseSuppressorName };
const ENGINE_SETUP: Record<EchoCancellerName, string> = {
  webrtc: 'WebRTC APM 0.3 alone (Debian libwebrtc-audio-processing; delay-agnostic AEC, extended filter, high suppression)',
  speex: 'speexdsp 1.2 MDF (200 ms filter) + its residual echo suppressor (−40/−15 dB), no WebRTC AEC',
  'speex+webrtc': 'speexdsp 1.2 MDF (200 ms filter) + its residual echo suppressor (−40/−15 dB), then WebRTC APM 0.3\'s AEC (delay-agnostic, extended filter, high suppression)',
};
const NS_SETUP: Record<NoiseSuppressorName, string> = {
  webrtc: 'WebRTC NS very high',
  rnnoise: 'RNNoise (@echogarden/rnnoise-wasm 0.2.0)',
  'webrtc+rnnoise': 'WebRTC NS very high, then RNNoise (@echogarden/rnnoise-wasm 0.2.0)',
};
const loaded = await loadVoiceEngine(choice);
// --suppression / --delay-hint override the kiosk's defaults, for tuning (the table then says so).
const overrides = { ...(args.transient ? { transientSuppression: true } : {}), ...(args.agc ? {} : { gainControl: false }), ...(args.ns >= 0 ? { noiseSuppression: args.ns } : {}), ...(args.suppression >= 0 ? { echoSuppression: args.suppression } : {}), ...(args.delayHint >= 0 ? { delayHintMs: args.delayHint } : {}), ...(args.echoTail > 0 ? { echoTailMs: args.echoTail } : {}) };
const processor: VoiceProcessorFactory = (opts = {}) => loaded({ ...opts, ...overrides });
const officerSpeech = normalizeActive(speak(OFFICER_TEXT, OFFICER_VOICE), OFFICER_DBFS);
const residentSpeech = normalizeActive(speak(RESIDENT_TEXT, RESIDENT_VOICE), RESIDENT_DBFS);

/**
 * How much of the simulated loudspeaker's echo any linear filter could remove, on the officer's speech: the
 * speaker alone (no delay, no room) against the best gain on what was played. Beyond it, attenuation is the
 * non-linear suppressors' work, which is what costs the resident in double talk.
 */
function linearLimit(distortion: number): number {
  const y = new EchoPath({ delayMs: 0, lossDb: 0, reflectionsDb: -200, distortion }).process(officerSpeech);
  let yx = 0;
  let xx = 0;
  for (let i = 0; i < y.length; i++) {
    const x = officerSpeech[i]! / 32768;
    yx += y[i]! * x;
    xx += x * x;
  }
  const a = yx / xx;
  let err = 0;
  for (let i = 0; i < y.length; i++) err += (y[i]! - (a * officerSpeech[i]!) / 32768) ** 2;
  return db(energy(y) / err);
}
const linearLimitDb = linearLimit(args.distortion);
const floor = () => new StreetNoise({ levelDbfs: FLOOR_DBFS, seed: 3 });

/** Per-window values of the echo at the microphone and what was sent, over [from, to). */
function windows(echo: Float32Array, sent: Float32Array, from: number, to: number, w = S(0.25)) {
  const out: { t: number; echo: number; sent: number; active: boolean }[] = [];
  const activeMs = w * (32768 * 10 ** (-55 / 20)) ** 2;
  for (let i = from; i + w <= to; i += w) {
    const e = energy(echo, i, i + w);
    out.push({ t: i / RATE, echo: e, sent: energy(sent, i, i + w), active: e >= activeMs });
  }
  return out;
}

/** Seconds from `start` until every active window over the next 2 s holds ≥ 30 dB; null if never within `span`. */
function convergence(ws: ReturnType<typeof windows>, start: number, span: number): number | null {
  for (const w of ws) {
    if (w.t < start || w.t >= start + span) continue;
    const ahead = ws.filter((x) => x.active && x.t >= w.t && x.t < w.t + 2);
    if (ahead.length > 0 && ahead.every((x) => db(x.echo / x.sent) >= 30)) return w.t - start;
  }
  return null;
}

function attenuation(ws: ReturnType<typeof windows>, from: number, to: number): number {
  const act = ws.filter((w) => w.active && w.t >= from && w.t < to);
  return db(act.reduce((a, w) => a + w.echo, 0) / act.reduce((a, w) => a + w.sent, 0));
}

interface EchoRow {
  delayMs: number;
  lossDb: number;
  attDb: number;
  attAfterChangeDb: number;
  convS: number | null;
  reconvS: number | null;
  dtLossDb: number;
  cpuNsPerFrame: number;
}

const rows: EchoRow[] = [];
for (const delayMs of delays) {
  for (const lossDb of losses) {
    const echo = { delayMs, lossDb, distortion: args.distortion, seed: 5 };
    // Single talk: the officer talks for 24 s, the resident is silent; the room changes at 12 s.
    const single = await runChain({ processor, echo, officer: loopTo(officerSpeech, S(24), S(0.3)), noise: floor(), changeAt: S(12) });
    const ws = windows(single.echoAtMic, single.sent, 0, single.sent.length);
    // Double talk: the officer keeps talking; the resident speaks from 8 s on. The same resident alone is the reference.
    const resident = new Int16Array(S(20));
    resident.set(loopTo(residentSpeech, S(12), S(0.5)), S(8));
    const both = await runChain({ processor, echo, officer: loopTo(officerSpeech, S(20), S(0.3)), resident, noise: floor() });
    const alone = await runChain({ processor, echo, officer: new Int16Array(S(20)), resident, noise: floor() });
    const f = S(0.02);
    const act = (e: number) => e >= f * (32768 * 10 ** (-45 / 20)) ** 2;
    let eBoth = 0;
    let eAlone = 0;
    for (let i = S(8); i + f <= S(20); i += f) {
      if (!act(energy(both.echoAtMic, i, i + f)) || !act(energy(both.nearAtMic, i, i + f))) continue;
      eBoth += energy(both.sent, i, i + f);
      eAlone += energy(alone.sent, i, i + f);
    }
    rows.push({
      delayMs,
      lossDb,
      attDb: attenuation(ws, 4, 12),
      attAfterChangeDb: attenuation(ws, 16, 24),
      convS: convergence(ws, 0, 12),
      reconvS: convergence(ws, 12, 12),
      dtLossDb: db(eAlone / eBoth),
      cpuNsPerFrame: await measureChainCpu(processor, loopTo(officerSpeech, S(24), S(0.3)), single.echoAtMic.map((e, i) => e + single.nearAtMic[i]!)),
    });
    const r = rows.at(-1)!;
    console.error(`delay ${delayMs} ms, loss ${lossDb} dB: attenuation ${fmt(r.attDb, 1)} dB, converged ${r.convS ?? 'never'} s, after change ${r.reconvS ?? 'never'} s, double-talk loss ${fmt(r.dtLossDb, 1)} dB`);
  }
}

/** Added latency: the lag of the best correlation between the microphone and what is sent (resident alone, quiet room). */
async function latency(): Promise<number> {
  const resident = loopTo(residentSpeech, S(6), S(0.2));
  const run = await runChain({ processor, echo: { delayMs: 40, lossDb: 10 }, officer: new Int16Array(S(6)), resident, noise: floor() });
  let best = 0;
  let bestLag = 0;
  for (let lag = 0; lag <= S(0.03); lag++) {
    let c = 0;
    for (let i = S(2); i < S(5); i++) c += run.nearAtMic[i]! * run.sent[i + lag]!;
    if (c > best) {
      best = c;
      bestLag = lag;
    }
  }
  return (bestLag / RATE) * 1000;
}
const latencyMs = await latency();

/**
 * Noise suppression: the resident alone in noise at about 8 dB SNR; AGC off so only NS (and the high-pass) shape the level.
 * What was sent is read `latencyMs` later than the microphone: an engine that delays the voice must not have its
 * speech tails counted as noise (nor be rewarded for silence it shifted into speech frames).
 */
async function noiseRun(noise: NoiseSource) {
  const lag = Math.round((latencyMs / 1000) * RATE);
  const resident = loopTo(residentSpeech, S(20), S(1));
  const run = await runChain({
    processor,
    processorOptions: { gainControl: false },
    echo: { delayMs: 40, lossDb: 10 },
    officer: new Int16Array(S(20)),
    resident,
    noise,
  });
  const f = S(0.02);
  let peak = 0;
  for (let i = 0; i + f <= resident.length; i += f) peak = Math.max(peak, energy(Float32Array.from(resident.subarray(i, i + f))));
  const clean = Float32Array.from(resident);
  const sums = { speechIn: 0, actIn: 0, actOut: 0, quietIn: 0, quietOut: 0, nAct: 0, nQuiet: 0 };
  for (let i = S(3); i + lag + f <= resident.length; i += f) {
    const e = energy(clean, i, i + f);
    if (e >= peak / 10 ** 2.5) {
      sums.speechIn += e;
      sums.actIn += energy(run.nearAtMic, i, i + f);
      sums.actOut += energy(run.sent, i + lag, i + lag + f);
      sums.nAct++;
    } else if (e < f * (32768 * 10 ** (-75 / 20)) ** 2) {
      sums.quietIn += energy(run.nearAtMic, i, i + f);
      sums.quietOut += energy(run.sent, i + lag, i + lag + f);
      sums.nQuiet++;
    }
  }
  const nIn = sums.quietIn / sums.nQuiet;
  const nOut = sums.quietOut / sums.nQuiet;
  const sIn = sums.actIn / sums.nAct - nIn;
  const sOut = sums.actOut / sums.nAct - nOut;
  const snrIn = db(sIn / nIn);
  const snrOut = db(sOut / nOut);
  return { snrIn, snrOut, gain: snrOut - snrIn, speechLossDb: db(sums.speechIn / sums.nAct / Math.max(sOut, 1e-9)) };
}
const street = await noiseRun(new StreetNoise({ levelDbfs: RESIDENT_DBFS - 8, seed: 21 }));
const shaped = await noiseRun(new SpeechShapedNoise({ levelDbfs: RESIDENT_DBFS - 8, seed: 22 }));

const LIMITER_LOOKAHEAD_MS = 1.5;

const cpuPct = (rows.reduce((a, r) => a + r.cpuNsPerFrame, 0) / rows.length / 10_000_000) * 100;
const worst = {
  att: Math.min(...rows.map((r) => Math.min(r.attDb, r.attAfterChangeDb))),
  conv: rows.some((r) => r.convS === null) ? null : Math.max(...rows.map((r) => r.convS!)),
  reconv: rows.some((r) => r.reconvS === null) ? null : Math.max(...rows.map((r) => r.reconvS!)),
  dt: Math.max(...rows.map((r) => r.dtLossDb)),
  nsGain: Math.min(street.gain, shaped.gain),
  nsLoss: Math.max(street.speechLossDb, shaped.speechLossDb),
};
const met = {
  att: worst.att >= TARGET.attDb,
  conv: worst.conv !== null && worst.conv <= TARGET.convS,
  reconv: worst.reconv !== null && worst.reconv <= TARGET.reconvS,
  dt: worst.dt <= TARGET.dtLossDb,
  ns: worst.nsGain >= TARGET.nsGainDb && worst.nsLoss <= TARGET.nsLossDb,
};
const s = (v: number | null) => (v === null ? 'never' : fmt(v, 2));

const table = [
  ...mdTable(
    ['echo delay (ms)', 'echo loss (dB)', 'attenuation, single talk (dB)', 'after the path change (dB)', 'time to ≥ 30 dB (s)', 'after the path change (s)', 'double-talk loss of the resident (dB)'],
    rows.map((r) => [r.delayMs, r.lossDb, fmt(r.attDb, 1), fmt(r.attAfterChangeDb, 1), s(r.convS), s(r.reconvS), fmt(r.dtLossDb, 1)]),
  ),
  '',
  ...mdTable(
    ['noise (resident at ~8 dB SNR)', 'SNR in (dB)', 'SNR out (dB)', 'SNR gain (dB)', 'speech level loss (dB)'],
    [
      ['street (rumble, hiss, passing traffic)', fmt(street.snrIn, 1), fmt(street.snrOut, 1), fmt(street.gain, 1), fmt(street.speechLossDb, 1)],
      ['speech-shaped', fmt(shaped.snrIn, 1), fmt(shaped.snrOut, 1), fmt(shaped.gain, 1), fmt(shaped.speechLossDb, 1)],
    ],
  ),
  '',
  ...mdTable(
    ['added latency, microphone → call (ms)', 'speaker limiter look-ahead (ms)', 'CPU per call, x86 (% of one core)', 'CPU per call, arm64 estimate (% of one Pi 4 core)'],
    [[fmt(latencyMs, 1), fmt(LIMITER_LOOKAHEAD_MS, 1), fmt(cpuPct, 2), fmt(cpuPct * args.arm64Factor, 1)]],
  ),
];
publish(
  {
    id: 'audio',
    title: 'Call audio processing (echo cancellation, noise suppression, gain)',
    target: `echo attenuation ≥ ${TARGET.attDb} dB after convergence; ≥ 30 dB within ${TARGET.convS} s and within ${TARGET.reconvS} s of an echo-path change; double-talk loss ≤ ${TARGET.dtLossDb} dB; NS SNR gain ≥ ${TARGET.nsGainDb} dB with speech loss ≤ ${TARGET.nsLossDb} dB`,
    machine,
    setup:
      `Kiosk CallAudio chain, engine ${engineName(choice)}${choice.echo === DEFAULT_VOICE_ENGINE.echo && choice.noise === DEFAULT_VOICE_ENGINE.noise ? ' (the kiosk default)' : ''}: ${ENGINE_SETUP[choice.echo]}; ${NS_SETUP[choice.noise]}; WebRTC's adaptive digital AGC last. Frames processed in lock step. ` +
      `Mandarin speech from espeak-ng: officer at ${OFFICER_DBFS} dBFS (active RMS) on the speaker, resident at ${RESIDENT_DBFS} dBFS at the microphone, enclosure noise floor ${FLOOR_DBFS} dBFS. ` +
      `Echo path = the simulated room's (delay, 40 reflections decaying with RT60 120 ms at −8 dB, tanh loudspeaker distortion ${args.distortion}: on the officer's speech a linear filter can remove at most ${fmt(linearLimitDb, 1)} dB of it, the rest is the non-linear suppressors' work); it changes at 12 s (other reflections, +7 ms). ` +
      `Attenuation = echo at the microphone ÷ what is sent, over 250 ms windows with echo (4–12 s; 16–24 s after the change). Double talk: the resident from 8 s while the officer talks; loss = resident alone ÷ with the officer, over 20 ms frames where both are active. ` +
      `NS: AGC off; SNR from speech-active vs. speech-free frames, what was sent read one measured latency later. CPU: this thread's CPU time for the whole chain over 24 s of prepared frames, per 10 ms frame; arm64 = x86 × ${args.arm64Factor} (see notes).`,
    table,
    notes: [
      `The arm64 figure is an estimate, not a measurement: x86 CPU time × ${args.arm64Factor}, the ratio assumed between one core here (about 2× the clock, about 2× the instructions per cycle) and one Cortex-A72 core of a Pi 4 (1.5–1.8 GHz) for this float DSP code (Debian's arm64 build of the library has its NEON paths). ` +
        'Cross-check by instruction count: callgrind counts 1.31 M x86 instructions per 10 ms frame for the APM alone (render + capture, a C++ harness around kiosk/native/audio-processing/src/Apm.cc), i.e. 131 M instructions/s; at 1.0–1.5 instructions per cycle on a 1.5 GHz A72 that is 6–9 % of one core. So: expect roughly 5–10 % of one Pi 4 core per call for WebRTC alone (HELPPOINT_ECHO_CANCELLER=webrtc), and about three times that for the default speex+webrtc (see below). It was not run under qemu-aarch64 (that needs an arm64 build of libwebrtc-audio-processing on this machine); run this script on the Pi for the real figure.',
      'Attenuation includes everything the officer would hear back: the AEC\'s linear filter and its non-linear suppressor, then NS and AGC (the AGC may add gain to what is left).',
      `Other engines: \`--aec ${ECHO_CANCELLERS.join('|')} --ns-engine ${NOISE_SUPPRESSORS.join('|')}\` (the kiosk: HELPPOINT_ECHO_CANCELLER / HELPPOINT_NOISE_SUPPRESSOR); their runs are rows of the history below, each headed by its engine. ` +
        'The CPU cross-check above is for WebRTC alone; speexdsp\'s MDF (a 200 ms filter at 48 kHz) and a second APM for the AGC about triple the x86 CPU time, RNNoise (WASM) adds about as much again. Latency: speexdsp\'s preprocessor adds 10 ms (its overlap-add), RNNoise about 5–10 ms; the latency search stops at 30 ms and takes the strongest correlation, so with RNNoise (which changes the phase) its figure, and with it the NS alignment, is less certain.',
    ],
    headline: `${engineName(choice)}: att ≥ ${fmt(worst.att, 1)} dB, conv ≤ ${s(worst.conv)} s, reconv ≤ ${s(worst.reconv)} s, DT loss ≤ ${fmt(worst.dt, 1)} dB, NS +${fmt(worst.nsGain, 1)} dB / −${fmt(worst.nsLoss, 1)} dB, ${fmt(latencyMs, 1)} ms, ${fmt(cpuPct, 2)} % CPU`,
    met: met.att && met.conv && met.reconv && met.dt && met.ns,
    result: {
      engine: `${choice.echo}/${choice.noise}`,
      distortion: String(args.distortion),
      linear_limit_db: linearLimitDb,
      echo_attenuation_min_db: worst.att,
      convergence_max_s: s(worst.conv),
      reconvergence_max_s: s(worst.reconv),
      doubletalk_loss_max_db: worst.dt,
      ns_snr_gain_street_db: street.gain,
      ns_snr_gain_speechshaped_db: shaped.gain,
      ns_speech_loss_max_db: worst.nsLoss,
      latency_ms: latencyMs,
      cpu_x86_pct: cpuPct,
      cpu_arm64_est_pct: cpuPct * args.arm64Factor,
      targets_met: Object.entries(met).filter(([, v]) => v).map(([k]) => k).join(',') || 'none',
      targets_missed: Object.entries(met).filter(([, v]) => !v).map(([k]) => k).join(',') || 'none',
    },
  },
  { write: !args.dryRun },
);
