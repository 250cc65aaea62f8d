/**
 * `--name value` / `--name=value` / `--flag` options for the bench scripts.
 * Unknown options are refused so a typo never silently runs the default.
 */
export function parseArgs<T extends Record<string, string | number | boolean>>(argv: string[], defaults: T, usage: string): T {
  const out: Record<string, string | number | boolean> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    }
    const m = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    const key = m ? m[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) : '';
    if (!m || !(key in defaults)) throw new Error(`unknown option ${arg}\n${usage}`);
    const def = defaults[key];
    if (typeof def === 'boolean') {
      out[key] = m[2] === undefined ? true : m[2] !== 'false' && m[2] !== '0';
      continue;
    }
    const raw = m[2] ?? argv[++i];
    if (raw === undefined) throw new Error(`option --${m[1]} needs a value\n${usage}`);
    if (typeof def === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) throw new Error(`option --${m[1]} must be a non-negative number, got "${raw}"`);
      out[key] = n;
    } else {
      out[key] = raw;
    }
  }
  return out as T;
}

/** A comma-separated list of positive integers, e.g. "1000,5000,10000". */
export function intList(raw: string, name: string): number[] {
  const list = raw.split(',').map((s) => Number(s.trim()));
  if (!list.length || list.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`--${name} must be positive integers separated by commas, got "${raw}"`);
  return list;
}
