import dgram from 'node:dgram';
import net from 'node:net';

/** A street link as the benchmark models it (one direction each way; loss applies to both). */
export interface LinkProfile {
  name: string;
  /** Round trip added by the link (half each way), ms. */
  rttMs: number;
  /** ± per packet, ms (uniform; packets keep their order, as on LTE). */
  jitterMs: number;
  /** Packet loss each way, 0..1. */
  loss: number;
  /** The terminal's uplink, bit/s (its queue holds at most `queueMs` of it; the rest is dropped). */
  upBps: number;
  queueMs?: number;
}

export const PROFILES: Record<string, LinkProfile> = {
  'lte-good': { name: 'LTE good', rttMs: 40, jitterMs: 0, loss: 0.005, upBps: 5_000_000 },
  'lte-poor': { name: 'LTE poor', rttMs: 120, jitterMs: 30, loss: 0.03, upBps: 1_000_000 },
  // The outage itself is switched on and off by the benchmark (blackout()); the link around it is "LTE good".
  outage: { name: 'outage', rttMs: 40, jitterMs: 0, loss: 0.005, upBps: 5_000_000 },
};

/**
 * One direction of the link: loss, delay with jitter (order kept), and for
 * the uplink a rate-limited queue with tail drop — what tc netem + tbf do in
 * the kernel, done here because this machine's kernel has no sch_netem.
 */
class Pipe {
  #lastDeparture = 0;
  #busyUntil = 0;
  blackout = false;
  sent = 0;
  dropped = 0;

  profile: LinkProfile;
  readonly #uplink: boolean;

  constructor(profile: LinkProfile, uplink: boolean) {
    this.profile = profile;
    this.#uplink = uplink;
  }

  /** When the packet leaves (ms, performance.now), or null when it is lost. */
  schedule(bytes: number, now: number): number | null {
    const p = this.profile;
    if (this.blackout || Math.random() < p.loss) {
      this.dropped++;
      return null;
    }
    let t = now;
    const rateBps = this.#uplink ? p.upBps : null;
    if (rateBps) {
      const start = Math.max(now, this.#busyUntil);
      if (start - now > (p.queueMs ?? 300)) {
        this.dropped++;
        return null;
      }
      this.#busyUntil = start + ((bytes + 28) * 8 * 1000) / rateBps;
      t = this.#busyUntil;
    }
    const oneWay = p.rttMs / 2 + (Math.random() * 2 - 1) * p.jitterMs;
    t = Math.max(t + Math.max(0, oneWay), this.#lastDeparture);
    this.#lastDeparture = t;
    this.sent++;
    return t;
  }
}

/** Runs `fn` at performance.now() time `at` (ms), or now when that has passed. */
function at(when: number, fn: () => void): void {
  const wait = when - performance.now();
  if (wait <= 0.5) fn();
  else setTimeout(fn, wait).unref?.();
}

/**
 * A user-space impairment relay between a terminal and the relay's media
 * ports: the relay announces this relay's address as its ICE candidate, the
 * terminal sends there, and each terminal source gets its own socket towards
 * mediasoup (mediasoup sees it as the terminal's address, like a NAT).
 * Sources that are not the terminal (the console in the browser on the same
 * host) pass unimpaired. The signalling TCP forwarder adds the same delay.
 */
export class LinkShaper {
  #profile: LinkProfile;
  readonly #isTerminal: (address: string) => boolean;
  readonly #up: Pipe;
  readonly #down: Pipe;
  readonly #sockets: dgram.Socket[] = [];
  readonly #servers: net.Server[] = [];
  readonly #held: (() => void)[] = [];

  constructor(opts: { profile: LinkProfile; isTerminal: (address: string) => boolean }) {
    this.#profile = opts.profile;
    this.#isTerminal = opts.isTerminal;
    this.#up = new Pipe(opts.profile, true);
    this.#down = new Pipe(opts.profile, false);
  }

  /** Another link from now on (the sockets stay, so calls and ICE carry on). */
  setProfile(profile: LinkProfile): void {
    this.#profile = profile;
    this.#up.profile = profile;
    this.#down.profile = profile;
  }

  get counts() {
    return { upSent: this.#up.sent, upDropped: this.#up.dropped, downSent: this.#down.sent, downDropped: this.#down.dropped };
  }

  /** Total loss both ways (the outage profile), or back to the profile. */
  blackout(on: boolean): void {
    this.#up.blackout = on;
    this.#down.blackout = on;
    if (!on) for (const write of this.#held.splice(0)) write();
  }

  /** Listens on listenHost:port (UDP) and forwards to targetHost:port, for each port. */
  async forwardUdp(listenHost: string, targetHost: string, ports: readonly number[]): Promise<void> {
    for (const port of ports) {
      const front = dgram.createSocket('udp4');
      this.#sockets.push(front);
      const backs = new Map<string, dgram.Socket>();
      front.on('message', (msg, rinfo) => {
        const key = `${rinfo.address}:${rinfo.port}`;
        const impaired = this.#isTerminal(rinfo.address);
        let back = backs.get(key);
        if (!back) {
          const sock = dgram.createSocket('udp4');
          back = sock;
          this.#sockets.push(sock);
          backs.set(key, sock);
          sock.on('message', (reply) => {
            const when = impaired ? this.#down.schedule(reply.length, performance.now()) : performance.now();
            if (when !== null) at(when, () => front.send(reply, rinfo.port, rinfo.address));
          });
          sock.on('error', () => undefined);
          sock.bind(0, listenHost);
        }
        const out = back;
        const when = impaired ? this.#up.schedule(msg.length, performance.now()) : performance.now();
        if (when !== null) at(when, () => out.send(msg, port, targetHost));
      });
      front.on('error', () => undefined);
      await new Promise<void>((resolve) => front.bind(port, listenHost, () => resolve()));
    }
  }

  /** A TCP forwarder for the signalling, with the link's delay each way (TCP hides loss as delay); returns its port. */
  async forwardTcp(listenHost: string, target: { host: string; port: number }): Promise<number> {
    const server = net.createServer((inbound) => {
      const outbound = net.connect(target.port, target.host);
      const relay = (from: net.Socket, to: net.Socket) => {
        let last = 0;
        from.on('data', (chunk) => {
          const when = Math.max(performance.now() + this.#profile.rttMs / 2, last);
          last = when;
          at(when, () => {
            const write = () => {
              if (!to.destroyed) to.write(chunk);
            };
            // In an outage TCP keeps retransmitting: the bytes arrive when the link is back.
            if (this.#up.blackout) this.#held.push(write);
            else write();
          });
        });
      };
      relay(inbound, outbound);
      relay(outbound, inbound);
      const end = () => {
        inbound.destroy();
        outbound.destroy();
      };
      inbound.on('error', end).on('close', end);
      outbound.on('error', end).on('close', end);
    });
    this.#servers.push(server);
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, listenHost, () => resolve()));
    return (server.address() as net.AddressInfo).port;
  }

  close(): void {
    for (const s of this.#sockets) s.close();
    for (const s of this.#servers) s.close();
  }
}
