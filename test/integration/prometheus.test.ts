import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay } from '../support/relayHarness.ts';

/**
 * The relay's /metrics (prom-client) and the shipped alert rules, checked by
 * Prometheus' own promtool (Debian's prometheus package, installed by
 * scripts/setup.sh): names, types, HELP text and rule syntax as Prometheus
 * itself reads them.
 */
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
let relay: Awaited<ReturnType<typeof startTestRelay>>;

beforeAll(async () => {
  relay = await startTestRelay({ recordCalls: false, metricsToken: 'promtool-test' });
});
afterAll(async () => {
  await relay?.close();
});

describe('prometheus', () => {
  it('promtool check metrics finds nothing wrong with /metrics', async () => {
    const res = await fetch(`${relay.url}/metrics`, { headers: { authorization: 'Bearer promtool-test' } });
    expect(res.status).toBe(200);
    const text = await res.text();
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    // promtool prints one line per problem (e.g. a gauge named *_total) and exits non-zero.
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it('promtool check rules accepts deploy/prometheus/helppoint-alerts.yml and it covers the four alerts the desk needs', () => {
    const file = path.join(root, 'deploy/prometheus/helppoint-alerts.yml');
    const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
    const yml = fs.readFileSync(file, 'utf8');
    for (const metric of ['helppoint_terminals{state="offline"}', 'helppoint_mediasoup_worker_up', 'helppoint_media_disk_free_bytes', 'helppoint_calls_escalated_total']) expect(yml).toContain(metric);
  });
});
