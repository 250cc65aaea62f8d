import path from 'node:path';
import type { GpioBias } from '../GpioLine.ts';
import { runTool } from '../runTool.ts';

export { runTool };

/**
 * Debian's libgpiod command-line tools (package `gpiod`), which the cdev
 * backend runs as supervised children. Their command lines changed between
 * libgpiod 1.6 (Debian 12 / Raspberry Pi OS Bookworm) and 2.x (Debian 13 /
 * Trixie), so every argv is built here from the version the tools report.
 *
 * v1.6: `gpiomon [-b] [-B bias] [-F fmt] <chip> <offset>`; no debounce (uAPI v1);
 *       `gpioset --mode=signal <chip> <offset>=<v>` holds the line until SIGTERM.
 * v2.x: `gpiomon -c <chip> [-b bias] [-p period] [-e both] [-F fmt] <offset>`;
 *       `gpioset -c <chip> <offset>=<v>` holds the line by default.
 */
export interface GpiodTools {
  major: 1 | 2;
  /** e.g. "1.6.3". */
  version: string;
  bin: { gpiodetect: string; gpioget: string; gpiomon: string; gpioset: string };
}

export interface GpioChipInfo {
  /** "gpiochip0" */
  name: string;
  /** "pinctrl-bcm2711" */
  label: string;
  lines: number;
}

/** "gpiodetect (libgpiod) v1.6.3" (v1) or "gpiodetect v2.1.3 (libgpiod v2.1.3)" (v2). */
export function parseGpiodVersion(text: string): { major: 1 | 2; version: string } | null {
  const m = /\bv(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return null;
  const major = Number(m[1]);
  if (major !== 1 && major !== 2) return null;
  // v1 before 1.5 has no bias option at all: not usable for a button with a pull-up.
  if (major === 1 && Number(m[2]) < 5) return null;
  return { major, version: [m[1], m[2], m[3]].filter((p) => p !== undefined).join('.') };
}

/** One chip per line: "gpiochip0 [pinctrl-bcm2711] (58 lines)"; the same in v1 and v2. */
export function parseGpiodetect(text: string): GpioChipInfo[] {
  const chips: GpioChipInfo[] = [];
  for (const line of text.split('\n')) {
    const m = /^(gpiochip\d+) \[(.*)\] \((\d+) lines?\)\s*$/.exec(line.trim());
    if (m) chips.push({ name: m[1] as string, label: m[2] as string, lines: Number(m[3]) });
  }
  return chips;
}

function biasWord(tools: GpiodTools, bias: GpioBias): string {
  // v1 spells "disable", v2 "disabled".
  if (bias === 'disabled') return tools.major === 1 ? 'disable' : 'disabled';
  return bias;
}

export interface InputArgs {
  bias?: GpioBias | undefined;
  debounceMs?: number | undefined;
  consumer?: string | undefined;
}

/** Reads one line once; prints "0" or "1". */
export function gpiogetArgs(tools: GpiodTools, chip: string, offset: number, o: InputArgs = {}): string[] {
  if (tools.major === 1) return [...(o.bias ? ['-B', biasWord(tools, o.bias)] : []), chip, String(offset)];
  return ['-c', chip, ...(o.consumer ? ['-C', o.consumer] : []), ...(o.bias ? ['-b', biasWord(tools, o.bias)] : []), '--numeric', String(offset)];
}

/** Watches both edges; one output line per edge, "<offset> <edge>" (see parseGpiomonLine). */
export function gpiomonArgs(tools: GpiodTools, chip: string, offset: number, o: InputArgs = {}): string[] {
  if (tools.major === 1) {
    // -b: line-buffered, or events sit in stdio's buffer because stdout is a pipe.
    return ['-b', ...(o.bias ? ['-B', biasWord(tools, o.bias)] : []), '-F', '%o %e', chip, String(offset)];
  }
  return [
    '-c', chip,
    ...(o.consumer ? ['-C', o.consumer] : []),
    ...(o.bias ? ['-b', biasWord(tools, o.bias)] : []),
    ...(o.debounceMs ? ['-p', `${Math.round(o.debounceMs)}ms`] : []),
    '-e', 'both',
    '-F', '%o %E',
    String(offset),
  ];
}

/**
 * Drives one line and holds it until SIGTERM. toggleMs (libgpiod 2 only):
 * start at `value` and toggle every toggleMs, repeating, in the same child.
 */
export function gpiosetArgs(tools: GpiodTools, chip: string, offset: number, value: 0 | 1, consumer?: string, toggleMs?: number | null): string[] {
  if (tools.major === 1) {
    if (toggleMs) throw new Error('libgpiod 1.x gpioset cannot toggle by itself');
    return ['--mode=signal', chip, `${offset}=${value}`];
  }
  return ['-c', chip, ...(consumer ? ['-C', consumer] : []), ...(toggleMs ? ['-t', `${Math.round(toggleMs)}ms`] : []), `${offset}=${value}`];
}

/** v1 "%o %e": "17 1" rising / "17 0" falling; v2 "%o %E": "17 rising" / "17 falling". */
export function parseGpiomonLine(tools: GpiodTools, line: string): { offset: number; rising: boolean } | null {
  const m = /^(\d+) (\S+)$/.exec(line.trim());
  if (!m) return null;
  const edge = m[2] as string;
  const rising = tools.major === 1 ? (edge === '1' ? true : edge === '0' ? false : null) : edge === 'rising' ? true : edge === 'falling' ? false : null;
  return rising === null ? null : { offset: Number(m[1]), rising };
}

/** "0"/"1" from gpioget (v2 --numeric prints the same); anything else is an error. */
export function parseGpiogetValue(text: string): 0 | 1 {
  const t = text.trim();
  if (t === '0' || t === '1') return t === '1' ? 1 : 0;
  throw new Error(`gpioget printed ${JSON.stringify(t.slice(0, 80))}, not 0 or 1`);
}

/** Finds the tools (in binDir, else on PATH) and asks gpiodetect which libgpiod it is. */
export async function probeGpiodTools(binDir?: string): Promise<GpiodTools> {
  const at = (name: string) => (binDir ? path.join(binDir, name) : name);
  const bin = { gpiodetect: at('gpiodetect'), gpioget: at('gpioget'), gpiomon: at('gpiomon'), gpioset: at('gpioset') };
  let out: string;
  try {
    out = await runTool(bin.gpiodetect, ['--version']);
  } catch (err) {
    throw new Error('the libgpiod tools are missing (Debian package "gpiod"): cannot use the GPIO character device', { cause: err });
  }
  const v = parseGpiodVersion(out);
  if (!v) throw new Error(`unsupported libgpiod tools (need 1.5+ or 2.x): ${out.split('\n')[0] ?? ''}`);
  return { ...v, bin };
}
