import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { ErrorCode } from '@helppoint/shared';

const ButtonAction = Compile(
  Type.Object({ action: Type.Union([Type.Literal('press'), Type.Literal('long-press')]) }, { additionalProperties: false }),
);
const MAX_BODY_BYTES = 1024;

export interface StatusServerOptions {
  host: string;
  port: number;
  logger: Logger;
  /** The status document: whatever the kiosk wants a technician to see. */
  status: () => unknown;
  /** Present only with the simulated button: lets tests and the demo press it. */
  simButton?: { press(): void; longPress(): void };
}

/**
 * The kiosk's local endpoint on 127.0.0.1: GET /status for technicians and
 * tests, and POST /sim/button to press the simulated button from outside.
 */
export class StatusServer {
  readonly #server: http.Server;
  readonly #log: Logger;

  private constructor(server: http.Server, log: Logger) {
    this.#server = server;
    this.#log = log;
  }

  static async create(opts: StatusServerOptions): Promise<StatusServer> {
    const log = opts.logger.child({ component: 'status' });
    const server = http.createServer((req, res) => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        res.end(JSON.stringify(body));
      };
      const fail = (status: number, code: string, message: string) => send(status, { error: { code, message } });
      const url = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && (url === '/status' || url === '/')) return send(200, opts.status());
      if (url === '/sim/button') {
        if (req.method !== 'POST') return fail(405, ErrorCode.BadRequest, 'use POST');
        if (!opts.simButton) return fail(404, ErrorCode.NotFound, 'this terminal has a real button');
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (c: Buffer) => {
          size += c.byteLength;
          if (size > MAX_BODY_BYTES) {
            fail(413, ErrorCode.FrameTooLarge, `body over ${MAX_BODY_BYTES} bytes`);
            req.destroy();
          } else chunks.push(c);
        });
        req.on('end', () => {
          if (size > MAX_BODY_BYTES) return;
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return fail(400, ErrorCode.BadJson, 'body is not valid JSON');
          }
          if (!ButtonAction.Check(body)) return fail(400, ErrorCode.BadMessage, 'expected {"action":"press"} or {"action":"long-press"}');
          log.info({ action: body.action }, 'simulated button');
          if (body.action === 'press') opts.simButton!.press();
          else opts.simButton!.longPress();
          send(200, { ok: true, action: body.action });
        });
        return;
      }
      fail(404, ErrorCode.NotFound, `no route ${req.method} ${url}`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => resolve());
    });
    return new StatusServer(server, log);
  }

  get url(): string {
    const a = this.#server.address() as AddressInfo;
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#log.debug('status endpoint closed');
  }
}
