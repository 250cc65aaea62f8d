import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { END_REASONS, EndReason } from './endReasons.ts';
import { CALL_KINDS } from './callKinds.ts';
import { CallViewKind, EndReasonSchema } from './protocol/common.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Every module a file pulls in at run time (type-only imports and exports are erased, so they do not count). */
function runtimeImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = fs.readFileSync(file, 'utf8');
  const re = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[1]!;
    if (spec.startsWith('.')) runtimeImports(path.resolve(path.dirname(file), spec), seen);
    else seen.add(spec);
  }
  return seen;
}

describe('the contract entry points', () => {
  it('the runtime entry (the console bundle) reaches no TypeBox at run time', () => {
    const reached = runtimeImports(path.join(here, 'runtime.ts'));
    expect([...reached].filter((m) => m === 'typebox' || m.startsWith('typebox/'))).toEqual([]);
    // and it does reach what the console needs
    expect([...reached].map((f) => path.basename(f))).toEqual(expect.arrayContaining(['rpc.ts', 'errors.ts', 'endReasons.ts', 'iceRecovery.ts']));
  });
  it('the main entry does carry the schemas (the walk is not blind)', () => {
    expect(runtimeImports(path.join(here, 'index.ts')).has('typebox')).toBe(true);
  });
  it('the wire enums are built from the one runtime list', () => {
    expect(new Set(END_REASONS)).toEqual(new Set(Object.values(EndReason)));
    const literals = (s: unknown) => ((s as { anyOf: { const: string }[] }).anyOf ?? []).map((x) => x.const);
    expect(literals(EndReasonSchema)).toEqual([...END_REASONS]);
    expect(literals(CallViewKind)).toEqual([...CALL_KINDS]);
  });
});
