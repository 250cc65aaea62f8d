/**
 * How long ranking responders by walking distance takes: for each demo
 * terminal, N responders at random points of the Shichahai box, distance along
 * the shipped alley network (what GET /api/calls/:id/dispatch-candidates does
 * per request). Prints the per-request time and ends with one `result:` line.
 *   node scripts/bench-dispatch-ranking.ts [responders=50] [rounds=20]
 */
import { DEMO_ALLEY_NETWORK } from '../relay/src/config.ts';
import { DEMO_TERMINALS } from '../relay/src/db/demoData.ts';
import { AlleyNetwork } from '../relay/src/dispatch/AlleyNetwork.ts';

const responders = Number(process.argv[2] ?? 50);
const rounds = Number(process.argv[3] ?? 20);
let seed = 13;
const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const t0 = performance.now();
const net = AlleyNetwork.fromFile(DEMO_ALLEY_NETWORK, 1.4);
const loadMs = performance.now() - t0;
const points = Array.from({ length: responders }, () => ({ latitude: 39.9335 + rand() * 0.0125, longitude: 116.3755 + rand() * 0.023 }));
const times: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const t of DEMO_TERMINALS) {
    const s = performance.now();
    const ranked = points.map((p) => net.distance(p, t).metres).sort((a, b) => a - b);
    times.push(performance.now() - s);
    if (!Number.isFinite(ranked[0]!)) throw new Error('no distance');
  }
}
times.sort((a, b) => a - b);
const q = (p: number): string => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2);
console.log(`network: ${net.vertexCount} vertices, loaded in ${loadMs.toFixed(1)} ms; ${times.length} rankings of ${responders} responders`);
console.log(`result: responders=${responders} vertices=${net.vertexCount} rank_p50_ms=${q(0.5)} rank_p95_ms=${q(0.95)} rank_max_ms=${times.at(-1)!.toFixed(2)} load_ms=${loadMs.toFixed(1)}`);
