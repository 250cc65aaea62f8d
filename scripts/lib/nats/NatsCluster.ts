import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { districtPermissions, stationPermissions, type NatsPermissions } from '../../../relay/src/district/natsPermissions.ts';

/** One account for HelpPoint with a user per station and one for the district; SYS for the server itself. */
export interface NatsUsers {
  district: { user: string; password: string; id: string };
  stations: { id: string; user: string; password: string }[];
}

export interface NatsClusterOptions {
  dir: string;
  /** Client port of node i is basePort + i, cluster port basePort + 10 + i, monitoring basePort + 20 + i. */
  basePort: number;
  nodes?: number;
  users: NatsUsers;
  /**
   * TLS for clients and for the routes between the nodes (a throwaway CA in tests). Routes verify each
   * other's certificate both ways (the certificate needs clientAuth too) and log in with the route
   * credentials, so a server that merely reaches the cluster port cannot join and read every station.
   */
  tls?: { certFile: string; keyFile: string; caFile: string };
  /** Credentials every node uses on its routes (made up per cluster when omitted). */
  routeAuth?: { user: string; password: string };
}

interface NodeProc {
  name: string;
  clientPort: number;
  httpPort: number;
  conf: string;
  child: ChildProcess | null;
}

const perms = (p: NatsPermissions) => JSON.stringify(p);

/**
 * A real nats-server cluster (JetStream on every node, so streams can be R3)
 * on 127.0.0.1 for tests, the demo and the benchmark. Debian's nats-server.
 */
export class NatsCluster {
  readonly #opts: Required<Omit<NatsClusterOptions, 'tls'>> & Pick<NatsClusterOptions, 'tls'>;
  readonly #nodes: NodeProc[] = [];

  private constructor(opts: NatsClusterOptions) {
    this.#opts = { nodes: 3, routeAuth: { user: 'route', password: crypto.randomBytes(18).toString('base64url') }, ...opts };
  }

  static async start(opts: NatsClusterOptions): Promise<NatsCluster> {
    const c = new NatsCluster(opts);
    c.#writeConfigs();
    await Promise.all(c.#nodes.map((_, i) => c.startNode(i)));
    await c.waitHealthy();
    return c;
  }

  /** nats://127.0.0.1:port (or tls://) of every node, for clients. */
  get urls(): string[] {
    // With TLS the client checks the certificate against the host name: nats.js checks IP literals as "localhost".
    return this.#nodes.map((n) => (this.#opts.tls ? `tls://localhost:${n.clientPort}` : `nats://127.0.0.1:${n.clientPort}`));
  }

  get ports(): number[] {
    return this.#nodes.map((n) => n.clientPort);
  }

  pidOf(i: number): number | undefined {
    return this.#nodes[i]?.child?.pid;
  }

  #writeConfigs(): void {
    const { dir, basePort, nodes, users, tls, routeAuth } = this.#opts;
    fs.mkdirSync(dir, { recursive: true });
    const cred = `${encodeURIComponent(routeAuth.user)}:${encodeURIComponent(routeAuth.password)}@`;
    const routes = Array.from({ length: nodes }, (_, i) => JSON.stringify(`nats-route://${cred}127.0.0.1:${basePort + 10 + i}`));
    const tlsBlock = (extra: string) => (tls ? `tls { cert_file: ${JSON.stringify(tls.certFile)}, key_file: ${JSON.stringify(tls.keyFile)}, ca_file: ${JSON.stringify(tls.caFile)}, timeout: 5${extra} }` : '');
    const userLines = [
      `{ user: ${JSON.stringify(users.district.user)}, password: ${JSON.stringify(users.district.password)}, permissions: ${perms(districtPermissions(users.district.id))} }`,
      ...users.stations.map((s) => `{ user: ${JSON.stringify(s.user)}, password: ${JSON.stringify(s.password)}, permissions: ${perms(stationPermissions(s.id))} }`),
    ];
    for (let i = 0; i < nodes; i++) {
      const name = `hp-n${i + 1}`;
      const store = path.join(dir, name);
      fs.mkdirSync(store, { recursive: true });
      const conf = path.join(dir, `${name}.conf`);
      const text = [
        `server_name: ${name}`,
        `listen: 127.0.0.1:${basePort + i}`,
        `http: 127.0.0.1:${basePort + 20 + i}`,
        `jetstream { store_dir: ${JSON.stringify(store)}, max_memory_store: 64MB, max_file_store: 512MB }`,
        // no_advertise: clients use exactly the URLs they were given (a test can put a gate in front of them).
        // A single node runs JetStream without a cluster block (a cluster needs routes).
        ...(nodes > 1
          ? [
              `cluster { name: helppoint, listen: 127.0.0.1:${basePort + 10 + i}, no_advertise: true,`,
              `  authorization { user: ${JSON.stringify(routeAuth.user)}, password: ${JSON.stringify(routeAuth.password)}, timeout: 5 }`,
              `  ${tlsBlock(', verify: true')}`,
              `  routes: [${routes.filter((_, j) => j !== i).join(', ')}] }`,
            ]
          : []),
        ...(tls ? [tlsBlock('')] : []),
        'accounts {',
        `  HELPPOINT { jetstream: enabled, users: [\n    ${userLines.join(',\n    ')}\n  ] }`,
        `  SYS { users: [ { user: "sys", password: ${JSON.stringify(`sys-${basePort}`)} } ] }`,
        '}',
        'system_account: SYS',
        'max_payload: 1MB',
      ].join('\n');
      fs.writeFileSync(conf, `${text}\n`);
      this.#nodes.push({ name, clientPort: basePort + i, httpPort: basePort + 20 + i, conf, child: null });
    }
  }

  async startNode(i: number): Promise<void> {
    const node = this.#nodes[i]!;
    if (node.child) return;
    // A stray server from an earlier run would answer our health checks with the wrong config.
    for (const port of [node.clientPort, node.httpPort]) if (!(await portFree(port))) throw new Error(`port ${port} for ${node.name} is in use (a nats-server left running?)`);
    const log = fs.openSync(path.join(this.#opts.dir, `${node.name}.log`), 'a');
    const child = spawn('nats-server', ['-c', node.conf], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    node.child = child;
    child.once('exit', () => {
      if (node.child === child) node.child = null;
    });
    await this.#waitNode(node, 15_000);
  }

  /** SIGKILL one node: what a crashed machine looks like to the others. */
  async killNode(i: number): Promise<void> {
    const node = this.#nodes[i]!;
    const child = node.child;
    if (!child) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
  }

  async #waitNode(node: NodeProc, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!node.child) throw new Error(`nats-server ${node.name} exited; see ${this.#opts.dir}/${node.name}.log`);
      try {
        const res = await fetch(`http://127.0.0.1:${node.httpPort}/varz`);
        if (res.ok) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`nats-server ${node.name} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Every running node says JetStream is healthy (a meta leader was elected). */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const node of this.#nodes) {
      if (!node.child) continue;
      for (;;) {
        try {
          const res = await fetch(`http://127.0.0.1:${node.httpPort}/healthz`);
          if (res.ok) break;
        } catch {
          /* restarting */
        }
        if (Date.now() > deadline) throw new Error(`nats-server ${node.name} not healthy`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** CPU seconds and RSS of every running node, from /varz. */
  async stats(): Promise<{ name: string; cpuPercent: number; rssBytes: number }[]> {
    const out = [];
    for (const node of this.#nodes) {
      if (!node.child) continue;
      const v = (await (await fetch(`http://127.0.0.1:${node.httpPort}/varz`)).json()) as { cpu: number; mem: number };
      out.push({ name: node.name, cpuPercent: v.cpu, rssBytes: v.mem });
    }
    return out;
  }

  async stop(): Promise<void> {
    await Promise.all(this.#nodes.map((_, i) => this.#term(i)));
  }

  async #term(i: number): Promise<void> {
    const child = this.#nodes[i]!.child;
    if (!child) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
