import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MeasuringSpeaker } from '../hw/MeasuringSpeaker.ts';
import { waitUntil } from '../hw/testing/waitUntil.ts';
import { FilePrompter } from './FilePrompter.ts';
import { encodeWav } from './wav.ts';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-prompts-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const tone = (seconds: number, rate: number, amp = 12000) =>
  new Int16Array(Math.round(seconds * rate)).map((_, i) => Math.round(amp * Math.sin((2 * Math.PI * 500 * i) / rate)));

describe('FilePrompter', () => {
  it('plays a prompt file through the speaker as 10 ms 48 kHz mono frames', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'answered.wav'), encodeWav(tone(0.3, 22050), 22050));
    const speaker = new MeasuringSpeaker();
    const voice = new FilePrompter({ speaker, dirs: [dir], logger });
    voice.say('answered');
    expect(voice.status).toMatchObject({ lastPrompt: 'answered', lastSource: 'file', playing: true });
    await waitUntil(() => !voice.status.playing, 3000);
    expect(voice.status.framesPlayed).toBe(30);
    expect(speaker.format).toEqual({ sampleRate: 48000, channels: 1 });
    expect(speaker.level.framesWritten).toBe(30);
    expect(speaker.level.peakRmsDbfs).toBeGreaterThan(-12);
    voice.close();
  });

  it('prefers a recorded file over the generated one, and logs text when neither exists', () => {
    const recorded = tmpDir();
    const generated = tmpDir();
    fs.writeFileSync(path.join(recorded, 'ended.wav'), encodeWav(tone(0.05, 48000), 48000));
    fs.writeFileSync(path.join(generated, 'ended.wav'), encodeWav(tone(0.05, 22050), 22050));
    fs.writeFileSync(path.join(generated, 'connecting.wav'), Buffer.from('garbage'));
    const speaker = new MeasuringSpeaker();
    const voice = new FilePrompter({ speaker, dirs: [recorded, generated], logger });
    expect(voice.status.files).toEqual({ ended: path.join(recorded, 'ended.wav') });
    voice.say('connecting'); // unreadable file: falls back to the text
    expect(voice.status).toMatchObject({ lastPrompt: 'connecting', lastSource: 'text', lastFile: null, lastText: '正在为您接通民警，请稍候' });
    expect(speaker.level.framesWritten).toBe(0);
    voice.close();
  });

  it('cuts the prompt that is playing when the next one starts', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'connecting.wav'), encodeWav(tone(2, 48000), 48000));
    fs.writeFileSync(path.join(dir, 'cancelled.wav'), encodeWav(tone(0.1, 48000), 48000));
    const speaker = new MeasuringSpeaker();
    const voice = new FilePrompter({ speaker, dirs: [dir], logger });
    voice.say('connecting');
    voice.say('cancelled');
    await waitUntil(() => !voice.status.playing, 3000);
    expect(voice.status.lastPrompt).toBe('cancelled');
    // Everything written is at most the first frames of "connecting" plus the 10 frames of "cancelled".
    expect(speaker.level.framesWritten).toBeLessThan(20);
    voice.close();
  });
});
