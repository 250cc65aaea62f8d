import { execFile, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ip = (...args: string[]) => run('ip', args, { timeout: 10_000 });

/**
 * A network namespace for one kiosk process, so its network can fail while
 * everything else on the machine keeps working. Two veth pairs link it to
 * the host:
 *  - "signal" carries the WebSocket (through a forwarder to the relay on 127.0.0.1)
 *    and the kiosk's status endpoint (socat in the namespace, for the test);
 *  - "media" carries ICE/DTLS/RTP: the relay's mediasoup listens on its host end.
 * Taking the media link down is a network loss for the kiosk's media only: the
 * signalling stays up, as when an LTE data path stalls for UDP but the
 * control connection survives, so the recovery under test is ICE restart and
 * re-join, not a reconnect (which the relay treats as terminal_lost).
 * The namespace has no route to anywhere else; it is torn down in close().
 */
export class KioskNetns {
  readonly name: string;
  /** Host ends (relay side) and the namespace's ends. */
  readonly signalHost: string;
  readonly signalKiosk: string;
  readonly mediaHost: string;
  readonly #links: { signal: string; media: string };
  readonly #children: ChildProcess[] = [];
  readonly #servers: net.Server[] = [];

  private constructor(tag: string, subnet: number) {
    this.name = `hp-ice-${tag}`;
    this.#links = { signal: `hpis${tag}`, media: `hpim${tag}` };
    this.signalHost = `10.231.${subnet}.1`;
    this.signalKiosk = `10.231.${subnet}.2`;
    this.mediaHost = `10.231.${subnet}.5`;
  }

  /** Why namespaces cannot be used here, or null when they can (root with CAP_NET_ADMIN). */
  static async unavailableReason(): Promise<string | null> {
    const probe = `hp-probe-${process.pid}`;
    try {
      await ip('netns', 'add', probe);
      await ip('netns', 'del', probe);
      return null;
    } catch (error) {
      return `ip netns is not permitted here (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
    }
  }

  static async create(): Promise<KioskNetns> {
    const tag = String(process.pid % 100_000);
    const used = (await ip('-br', 'addr')).stdout;
    let subnet = process.pid % 250;
    for (let i = 0; i < 250 && used.includes(`10.231.${subnet}.`); i++) subnet = (subnet + 1) % 250;
    const ns = new KioskNetns(tag, subnet);
    try {
      await ns.#setUp(subnet);
    } catch (error) {
      await ns.close();
      throw error;
    }
    return ns;
  }

  async #setUp(subnet: number): Promise<void> {
    const { signal, media } = this.#links;
    const inNs = (...args: string[]) => ip('netns', 'exec', this.name, 'ip', ...args);
    await ip('netns', 'add', this.name);
    await inNs('link', 'set', 'lo', 'up');
    for (const [link, host, kiosk] of [
      [signal, `10.231.${subnet}.1/30`, `10.231.${subnet}.2/30`],
      [media, `10.231.${subnet}.5/30`, `10.231.${subnet}.6/30`],
    ] as const) {
      await ip('link', 'add', `${link}h`, 'type', 'veth', 'peer', 'name', `${link}k`);
      await ip('link', 'set', `${link}k`, 'netns', this.name);
      await ip('addr', 'add', host, 'dev', `${link}h`);
      await ip('link', 'set', `${link}h`, 'up');
      await inNs('addr', 'add', kiosk, 'dev', `${link}k`);
      await inNs('link', 'set', `${link}k`, 'up');
    }
  }

  /** The prefix that runs a command inside the namespace (for launch's `wrap`). */
  get wrap(): string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  /** Cuts (false) or restores (true) the kiosk's media path. */
  async setMediaLink(up: boolean): Promise<void> {
    await ip('netns', 'exec', this.name, 'ip', 'link', 'set', `${this.#links.media}k`, up ? 'up' : 'down');
  }

  /** A TCP forwarder on the signal link's host end to `target` (the relay on loopback); returns its port. */
  async forwardToHost(target: { host: string; port: number }): Promise<number> {
    const server = net.createServer((inbound) => {
      const outbound = net.connect(target.port, target.host);
      inbound.pipe(outbound).pipe(inbound);
      const end = () => {
        inbound.destroy();
        outbound.destroy();
      };
      inbound.on('error', end).on('close', end);
      outbound.on('error', end).on('close', end);
    });
    this.#servers.push(server);
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, this.signalHost, () => resolve()));
    return (server.address() as net.AddressInfo).port;
  }

  /** Makes a loopback port inside the namespace reachable from the host on the signal link (same port). */
  async exposeFromNamespace(port: number): Promise<string> {
    const child = spawn('ip', ['netns', 'exec', this.name, 'socat', `TCP-LISTEN:${port},bind=${this.signalKiosk},fork,reuseaddr`, `TCP:127.0.0.1:${port}`], { stdio: 'ignore' });
    this.#children.push(child);
    const url = `http://${this.signalKiosk}:${port}`;
    const deadline = Date.now() + 5000;
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, this.signalKiosk, () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (ok) return url;
      if (Date.now() > deadline) throw new Error(`socat in ${this.name} did not listen on ${url}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the helpers and removes the links and the namespace (each step even if one fails). */
  async close(): Promise<void> {
    for (const child of this.#children) if (child.exitCode === null) child.kill('SIGTERM');
    for (const server of this.#servers) server.close();
    for (const link of Object.values(this.#links)) await ip('link', 'del', `${link}h`).catch(() => undefined);
    await ip('netns', 'del', this.name).catch(() => undefined);
  }
}
