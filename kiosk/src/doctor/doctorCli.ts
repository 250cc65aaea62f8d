import type { Logger } from 'pino';
import type { SelfTestLine } from '@helppoint/shared';
import type { KioskConfig } from '../config.ts';
import type { KioskDrivers } from '../Kiosk.ts';
import { ButtonTap } from './ButtonTap.ts';
import { buttonCheck, cameraCheck, ledCheck, modemCheck, relayCheck, speakerMicCheck, wiringCheck } from './checks.ts';
import { runSelfTest, type Check } from './SelfTest.ts';

const MARK: Record<string, string> = { pass: 'PASS 通过', fail: 'FAIL 失败', skip: 'SKIP 跳过' };

function printLine(out: NodeJS.WritableStream, line: SelfTestLine, title: string): void {
  out.write(`  ${MARK[line.status] ?? line.status}  ${title.padEnd(24)}  ${line.detail}  (${line.ms} ms)\n`);
}

/**
 * `helppoint-kiosk doctor`: the self-test for a technician on site, with a
 * pass/fail per line. When the terminal service is running it does the
 * checks (it owns the camera, audio and GPIO) and streams them over its
 * local status endpoint; when it is not, the doctor opens the drivers itself.
 * Exit code 0 = every check passed, 1 = something failed, 2 = could not run.
 */
export async function doctor(
  cfg: KioskConfig,
  openDrivers: () => Promise<KioskDrivers>,
  logger: Logger,
  out: NodeJS.WritableStream = process.stdout,
  hardware?: () => Promise<string[]>,
): Promise<number> {
  out.write(`一键求助终端自检 HelpPoint terminal self-test — ${cfg.terminalId}\n`);
  if (hardware) {
    // What is plugged in and what the terminal uses, before any check: most site faults show here.
    try {
      for (const line of await hardware()) out.write(`${line}\n`);
    } catch (err) {
      out.write(`(hardware not listed: ${err instanceof Error ? err.message : String(err)})\n`);
    }
  }
  const url = `http://${cfg.statusHost}:${cfg.statusPort}/doctor`;
  const res = await fetch(url, { method: 'POST' }).catch(() => null);
  if (res) return viaService(res, out);
  out.write('(terminal service not running: opening the hardware directly)\n');
  return standalone(cfg, openDrivers, logger, out);
}

async function viaService(res: Response, out: NodeJS.WritableStream): Promise<number> {
  if (!res.ok || !res.body) {
    const text = await res.text();
    out.write(`cannot run: HTTP ${res.status} ${text}\n`);
    return 2;
  }
  let passed: boolean | null = null;
  let buf = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const msg = JSON.parse(buf.slice(0, nl)) as { prompt?: string; line?: SelfTestLine; title?: string; report?: { passed: boolean }; error?: { message: string } };
      buf = buf.slice(nl + 1);
      if (msg.prompt) out.write(`  >>> ${msg.prompt}\n`);
      if (msg.line) printLine(out, msg.line, msg.title ?? msg.line.check);
      if (msg.report) passed = msg.report.passed;
      if (msg.error) out.write(`cannot run: ${msg.error.message}\n`);
    }
  }
  return summary(out, passed);
}

async function standalone(cfg: KioskConfig, openDrivers: () => Promise<KioskDrivers>, logger: Logger, out: NodeJS.WritableStream): Promise<number> {
  let d: KioskDrivers;
  try {
    d = await openDrivers();
  } catch (err) {
    out.write(`cannot open the hardware: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const tap = new ButtonTap(d.button);
  const checks: Check[] = [
    speakerMicCheck({ speaker: d.speaker, microphone: d.microphone }),
    cameraCheck({ camera: d.camera }),
    ledCheck({ led: d.led }),
    buttonCheck({ waitForPress: (ms, signal) => tap.waitForPress(ms, signal) }),
    relayCheck({ relayUrl: cfg.relayUrl }),
    wiringCheck({ button: tap, tamper: d.tamper ?? null }),
  ];
  if (d.modem) checks.push(modemCheck({ modem: d.modem }));
  try {
    const report = await runSelfTest(checks, {
      trigger: 'doctor',
      onLine: (line, check) => printLine(out, line, check.title),
      onPrompt: (text) => out.write(`  >>> ${text}\n`),
    });
    return summary(out, report.passed);
  } finally {
    await Promise.allSettled([tap.close(), d.led.close(), d.camera.stop(), d.microphone.stop(), d.speaker.close(), d.tamper?.close(), d.modem?.close()]);
    logger.debug('doctor released the hardware');
  }
}

function summary(out: NodeJS.WritableStream, passed: boolean | null): number {
  if (passed === null) return 2;
  out.write(passed ? '结果 RESULT: 全部通过 all checks passed\n' : '结果 RESULT: 有故障 something FAILED — see the lines above\n');
  return passed ? 0 : 1;
}
