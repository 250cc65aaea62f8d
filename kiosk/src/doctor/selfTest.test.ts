import { describe, expect, it } from 'vitest';
import { SimRoom } from '../hw/SimRoom.ts';
import { SimLed } from '../hw/SimLed.ts';
import { SimModem } from '../hw/SimModem.ts';
import { FakeCamera } from '../hw/testing/FakeCamera.ts';
import { buttonCheck, cameraCheck, ledCheck, modemCheck, speakerMicCheck } from './checks.ts';
import { runSelfTest, type Check } from './SelfTest.ts';

/** Self-tests on simulated hardware: a room that carries the speaker to the microphone, a fake camera. */
const camera = (mode: ConstructorParameters<typeof FakeCamera>[0] extends infer O ? (O extends { mode?: infer M } ? M : never) : never) => new FakeCamera({ mode });
const quick = { watchMs: 700, firstFrameMs: 800 };

async function run(checks: Check[]) {
  const lines: string[] = [];
  const report = await runSelfTest(checks, { trigger: 'nightly', onLine: (l) => lines.push(`${l.check}:${l.status}`) });
  return { report, lines, byCheck: Object.fromEntries(report.lines.map((l) => [l.check, l])) };
}

describe('self-test', () => {
  it('passes on working hardware: the tone is heard at the first level, the picture is live, the LED cycles', async () => {
    const room = new SimRoom();
    const led = new SimLed();
    const { report, lines, byCheck } = await run([
      speakerMicCheck({ speaker: room.speaker, microphone: room.microphone }),
      cameraCheck({ camera: camera('live'), ...quick }),
      ledCheck({ led, stepMs: 20 }),
      modemCheck({ modem: new SimModem() }),
    ]);
    expect(lines).toEqual(['speaker-mic:pass', 'camera:pass', 'led:pass', 'modem:pass']);
    expect(report.passed).toBe(true);
    expect(byCheck['speaker-mic']!.detail).toMatch(/played at -30 dBFS heard at -4\d\.\d dBFS/);
    expect(led.history.map((h) => h.mode)).toEqual(['on', 'off', 'blink-fast', 'on', 'off']);
    expect(room.speaker.level.framesWritten).toBe(40);
  });

  it('retries louder when the room swallows the quiet tone', async () => {
    // The room's response at the tone's frequency takes about 6 dB more: -30 → -61 (not heard), -20 → -51.
    const room = new SimRoom({ acousticLossDb: 25 });
    const { byCheck } = await run([speakerMicCheck({ speaker: room.speaker, microphone: room.microphone })]);
    expect(byCheck['speaker-mic']).toMatchObject({ status: 'pass' });
    expect(byCheck['speaker-mic']!.detail).toMatch(/played at -20 dBFS heard at -5\d\.\d dBFS/);
  });

  it('fails a silent speaker after trying every level, even though the resident voice tone is loud', async () => {
    const room = new SimRoom({ voice: { amplitude: 0.5 } });
    room.faults.speakerDead = true;
    const { report, byCheck } = await run([speakerMicCheck({ speaker: room.speaker, microphone: room.microphone })]);
    expect(report.passed).toBe(false);
    expect(byCheck['speaker-mic']!.status).toBe('fail');
    expect(byCheck['speaker-mic']!.detail).toMatch(/not heard \(-30 dBFS → .*; -20 dBFS → .*; -10 dBFS → .*\)/);
  });

  it('fails a dead microphone', async () => {
    const room = new SimRoom();
    room.faults.micDead = true;
    const { byCheck } = await run([speakerMicCheck({ speaker: room.speaker, microphone: room.microphone, levelsDbfs: [-20] })]);
    expect(byCheck['speaker-mic']!.status).toBe('fail');
  });

  it('fails a black camera, a frozen camera and a camera that delivers nothing, and releases each', async () => {
    const cams = { black: camera('black'), frozen: camera('frozen'), dead: camera('dead') };
    const { byCheck } = await run([
      { ...cameraCheck({ camera: cams.black, ...quick }), name: 'cam-black' },
      { ...cameraCheck({ camera: cams.frozen, ...quick }), name: 'cam-frozen' },
      { ...cameraCheck({ camera: cams.dead, ...quick }), name: 'cam-dead' },
    ]);
    expect(byCheck['cam-black']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/black/) });
    expect(byCheck['cam-frozen']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/frozen/) });
    expect(byCheck['cam-dead']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/no picture/) });
    expect(Object.values(cams).some((c) => c.running)).toBe(false);
  });

  it('the button check prompts, passes on a press and fails without one', async () => {
    const prompts: string[] = [];
    const press = buttonCheck({ waitForPress: async () => true, timeoutMs: 100 });
    const none = { ...buttonCheck({ waitForPress: (ms) => new Promise((r) => setTimeout(() => r(false), ms)), timeoutMs: 100 }), name: 'button-none' };
    const report = await runSelfTest([press, none], { trigger: 'doctor', onPrompt: (t) => prompts.push(t) });
    expect(report.lines.map((l) => l.status)).toEqual(['pass', 'fail']);
    expect(prompts[0]).toMatch(/Press the help button now/);
  });

  it('a check that throws or hangs fails with the reason; the run goes on', async () => {
    const boom: Check = { name: 'boom', title: 'x', run: async () => { throw new Error('EIO on /dev/video0'); } };
    const hang: Check = { name: 'hang', title: 'x', timeoutMs: 50, run: () => new Promise(() => undefined) };
    const { report } = await run([boom, hang, modemCheck({ modem: new SimModem({ registration: 'searching' }) })]);
    expect(report.lines.map((l) => [l.check, l.status, l.detail])).toEqual([
      ['boom', 'fail', 'error: EIO on /dev/video0'],
      ['hang', 'fail', 'no result within 50 ms'],
      ['modem', 'fail', 'not registered (searching); -73 dBm (CSQ 20)'],
    ]);
  });

  it('a help call interrupts the run: the hardware is released and the rest is skipped', async () => {
    const room = new SimRoom();
    const cam = camera('live');
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 150);
    const report = await runSelfTest([cameraCheck({ camera: cam, ...quick }), speakerMicCheck({ speaker: room.speaker, microphone: room.microphone })], {
      trigger: 'nightly',
      signal: abort.signal,
    });
    expect(report.lines.map((l) => l.status)).toEqual(['skip', 'skip']);
    expect(report.passed).toBe(true);
    expect(cam.running).toBe(false);
  });
});
