import net from 'node:net';

/**
 * A TCP forwarder a test can cut: `cut()` drops every connection through it
 * and refuses new ones (as a pulled cable or a firewall would look to the
 * client), `restore()` lets traffic through again.
 */
export class TcpGate {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #open = true;

  private constructor(server: net.Server) {
    this.#server = server;
  }

  static async start(target: { host: string; port: number }): Promise<TcpGate> {
    const server = net.createServer();
    const gate = new TcpGate(server);
    server.on('connection', (client) => {
      if (!gate.#open) {
        client.destroy();
        return;
      }
      const upstream = net.connect(target.port, target.host);
      for (const s of [client, upstream]) {
        gate.#sockets.add(s);
        s.on('close', () => gate.#sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return gate;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  cut(): void {
    this.#open = false;
    for (const s of this.#sockets) s.destroy();
  }

  restore(): void {
    this.#open = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}
