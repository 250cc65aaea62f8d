// A minimal Prometheus text exposition (format 0.0.4) writer: counters,
// gauges and histograms with labels. Small enough not to need a library.

export type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

interface Family {
  render(): string[];
}

function header(name: string, help: string, type: string): string[] {
  return [`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`];
}

export class Counter implements Family {
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  readonly name: string;
  readonly help: string;
  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const cur = this.#values.get(key);
    if (cur) cur.value += by;
    else this.#values.set(key, { labels, value: by });
  }
  render(): string[] {
    return [...header(this.name, this.help, 'counter'), ...[...this.#values.values()].map((v) => `${this.name}${labelText(v.labels)} ${num(v.value)}`)];
  }
}

/** A gauge whose samples are computed at scrape time. */
export class Gauge implements Family {
  readonly name: string;
  readonly help: string;
  #samples: { labels: Labels; value: number }[] = [];
  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }
  set(samples: { labels?: Labels; value: number }[]): void {
    this.#samples = samples.map((s) => ({ labels: s.labels ?? {}, value: s.value }));
  }
  render(): string[] {
    return [...header(this.name, this.help, 'gauge'), ...this.#samples.map((s) => `${this.name}${labelText(s.labels)} ${num(s.value)}`)];
  }
}

export class Histogram implements Family {
  readonly name: string;
  readonly help: string;
  readonly buckets: readonly number[];
  readonly #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(name: string, help: string, buckets: readonly number[]) {
    this.name = name;
    this.help = help;
    this.buckets = [...buckets].sort((a, b) => a - b);
  }
  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let s = this.#series.get(key);
    if (!s) this.#series.set(key, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i]! += 1;
    });
    s.sum += value;
    s.count += 1;
  }
  render(): string[] {
    const out = header(this.name, this.help, 'histogram');
    for (const s of this.#series.values()) {
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket${labelText({ ...s.labels, le: num(b) })} ${s.counts[i]}`));
      out.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      out.push(`${this.name}_sum${labelText(s.labels)} ${num(s.sum)}`);
      out.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return out;
  }
}

export function renderFamilies(families: readonly Family[]): string {
  return families.flatMap((f) => f.render()).join('\n') + '\n';
}
