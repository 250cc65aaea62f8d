import fs from 'node:fs';
import path from 'node:path';
import { machineLine, type MachineInfo } from './machine.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
export const BENCHMARKS_DOC = path.join(root, 'docs/benchmarks.md');
const HISTORY_KEEP = 20;

export interface BenchReport {
  /** Marker id, e.g. "idle-terminals"; the script is scripts/bench-<id>. */
  id: string;
  title: string;
  /** The target, in words, as the issue states it. */
  target: string;
  machine: MachineInfo;
  /** How the run was made (sizes, repeats, flags). */
  setup: string;
  /** Markdown table lines. */
  table: string[];
  notes?: string[];
  /** One line for the history: the headline numbers of this run. */
  headline: string;
  /** Was the target met in this run (null: not judged, e.g. a partial run). */
  met: boolean | null;
  /** The machine-readable figures of this run: printed last as one `result: key=value …` line. */
  result?: Record<string, string | number | boolean | null>;
}

/** `result: met=yes ring_p95_ms=18 …`: numbers rounded to 0.1, spaces in values replaced, the verdict first. */
export function resultLine(r: Pick<BenchReport, 'met' | 'result'>): string {
  const value = (v: string | number | boolean | null): string => {
    if (v === null) return 'na';
    if (typeof v === 'number') return Number.isFinite(v) ? String(Math.round(v * 10) / 10) : 'na';
    return String(v).replace(/\s+/g, '_');
  };
  const pairs = Object.entries({ met: r.met === null ? 'na' : r.met ? 'yes' : 'no', ...r.result }).map(([k, v]) => `${k}=${value(v)}`);
  return `result: ${pairs.join(' ')}`;
}

/** A markdown table from a header and rows. */
export function mdTable(header: string[], rows: (string | number)[][]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function verdict(met: boolean | null): string {
  return met === null ? '–' : met ? 'met' : 'not met';
}

function markers(id: string) {
  return { begin: `<!-- BEGIN bench:${id} -->`, end: `<!-- END bench:${id} -->`, hist: `<!-- history:${id} -->` };
}

/** The section's text: the latest run in full, then one dated line per earlier run. */
export function renderSection(r: BenchReport, previousHistory: string[]): string {
  const m = markers(r.id);
  const row = `| ${r.machine.date} | ${r.machine.commit} | ${r.machine.cores} cores, load ${r.machine.load1} | ${r.headline} | ${verdict(r.met)} |`;
  const history = [row, ...previousHistory].slice(0, HISTORY_KEEP);
  return [
    m.begin,
    `### ${r.title}`,
    '',
    `Script: \`scripts/bench-${r.id}\`. Target: ${r.target} — **${verdict(r.met)}** in the latest run.`,
    '',
    `Latest run: ${machineLine(r.machine)}. ${r.setup}`,
    '',
    ...r.table,
    ...(r.notes?.length ? ['', ...r.notes] : []),
    '',
    'History (newest first):',
    '',
    m.hist,
    '| date | commit | machine | result | target |',
    '| --- | --- | --- | --- | --- |',
    ...history,
    m.end,
  ].join('\n');
}

/** Rows of an earlier run's history table in the document, newest first. */
export function previousHistory(doc: string, id: string): string[] {
  const m = markers(id);
  const start = doc.indexOf(m.begin);
  const end = doc.indexOf(m.end);
  if (start < 0 || end < start) return [];
  const section = doc.slice(start, end);
  const h = section.indexOf(m.hist);
  if (h < 0) return [];
  return section
    .slice(h + m.hist.length)
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| date ') && !l.startsWith('| ---'));
}

/** Replaces this benchmark's section in the document (or appends it), keeping its history. */
export function writeSection(doc: string, r: BenchReport): string {
  const m = markers(r.id);
  const text = renderSection(r, previousHistory(doc, r.id));
  const start = doc.indexOf(m.begin);
  const end = doc.indexOf(m.end);
  if (start >= 0 && end > start) return doc.slice(0, start) + text + doc.slice(end + m.end.length);
  return `${doc.replace(/\n*$/, '\n\n')}${text}\n`;
}

/** Prints the report and, unless `write` is false, records it in docs/benchmarks.md. */
export function publish(r: BenchReport, opts: { write: boolean; file?: string }): void {
  console.log(`\n${r.title}\n${machineLine(r.machine)}\n${r.setup}\n`);
  console.log(r.table.join('\n'));
  if (r.notes?.length) console.log(`\n${r.notes.join('\n')}`);
  console.log(`\ntarget: ${r.target} → ${verdict(r.met)}`);
  if (opts.write) {
    const file = opts.file ?? BENCHMARKS_DOC;
    const doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
    fs.writeFileSync(file, writeSection(doc, r));
    console.log(`written to ${path.relative(root, file)}`);
  }
  console.log(resultLine(r));
}
