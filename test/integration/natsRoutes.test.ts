import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistrictWorld, TEST_NATS_BASE_PORT, type DistrictWorld } from '../support/district.ts';
import { makeTestCa } from '../support/testCa.ts';

// The district's NATS cluster on the station network (issue 14, trust): a machine that reaches a
// node's cluster port must not be able to join as a route, or it would see every station's calls
// and presence. Routes are TLS with the certificate verified both ways, and log in.

const BASE = TEST_NATS_BASE_PORT + 40;
const routesOf = async (httpPort: number) => ((await (await fetch(`http://127.0.0.1:${httpPort}/routez`)).json()) as { num_routes: number }).num_routes;

let world: DistrictWorld;
const rogues: ChildProcess[] = [];

/** A nats-server of the attacker's own, told to route to node 1's cluster port. */
async function rogue(name: string, port: number, extra: string[]): Promise<number> {
  const conf = path.join(world.dir, `${name}.conf`);
  fs.writeFileSync(
    conf,
    [`server_name: ${name}`, `listen: 127.0.0.1:${port}`, `http: 127.0.0.1:${port + 1}`, 'cluster {', '  name: helppoint', `  listen: 127.0.0.1:${port + 2}`, ...extra, `  routes: [${JSON.stringify(`nats-route://127.0.0.1:${BASE + 10}`)}]`, '}'].join('\n') + '\n',
  );
  const log = fs.openSync(path.join(world.dir, `${name}.log`), 'a');
  const child = spawn('nats-server', ['-c', conf], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  rogues.push(child);
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${port + 1}/varz`).then((r) => r.ok).catch(() => false)) return port + 1;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not start; see ${world.dir}/${name}.log`);
}

beforeAll(async () => {
  world = await startDistrictWorld(['A'], { basePort: BASE });
}, 60_000);
afterAll(async () => {
  for (const r of rogues) r.kill('SIGKILL');
  await world?.close();
});

describe('the NATS cluster routes', () => {
  it('the three nodes are routed to each other over TLS with their credentials', async () => {
    for (let i = 0; i < 3; i++) expect(await routesOf(BASE + 20 + i)).toBe(2);
  });

  it('a server without the cluster certificate, or with one from another CA and the route password guessed, is not let in', async () => {
    const plain = await rogue('rogue-plain', BASE + 50, []);
    const other = makeTestCa(world.dir, 'other', 'DNS:localhost,IP:127.0.0.1', 'serverAuth,clientAuth');
    const foreignCert = await rogue('rogue-foreign-ca', BASE + 60, [
      '  authorization { user: route, password: guessed }',
      `  tls { cert_file: ${JSON.stringify(other.certFile)}, key_file: ${JSON.stringify(other.keyFile)}, ca_file: ${JSON.stringify(other.caFile)}, verify: true, timeout: 5 }`,
    ]);
    // Long enough for several route attempts (nats-server retries a configured route every second).
    await new Promise((r) => setTimeout(r, 4000));
    expect(await routesOf(plain)).toBe(0);
    expect(await routesOf(foreignCert)).toBe(0);
    for (let i = 0; i < 3; i++) expect(await routesOf(BASE + 20 + i)).toBe(2);
  });
});
