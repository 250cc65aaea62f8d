import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { ErrorCode } from '@helppoint/shared';

const ButtonAction = Compile(
  Type.Object({ action: Type.Union([Type.Literal('press'), Type.Literal('long-press')]) }, { additionalProperties: false }),
);
const TamperAction = Compile(Type.Object({ open: Type.Boolean() }, { additionalProperties: false }));
const MAX_BODY_BYTES = 1024;

/** What POST /doctor needs: the self-test service (kiosk/src/doctor/SelfTestService.ts). */
export interface DoctorRunner {
  run(
    trigger: 'doctor',
    hooks: { onLine?: (line: { check: string; status: string; detail: string; ms: number }, title: string) => void; onPrompt?: (text: string) => void },
  ): Promise<{ passed: boolean }>;
}

export interface StatusServerOptions {
  host: string;
  port: number;
  logger: Logger;
  /** The status document: whatever the kiosk wants a technician to see. */
  status: () => unknown;
  /** Present only with the simulated button: lets tests and the demo press it. */
  simButton?: { press(): void; longPress(): void };
  /** Present only with the simulated door switch: lets tests and the demo open it. */
  simTamper?: { set(open: boolean): void };
  /** POST /doctor runs the self-test and streams one JSON line per event. */
  doctor?: DoctorRunner;
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
        return readJson(req, fail, (body) => {
          if (!ButtonAction.Check(body)) return fail(400, ErrorCode.BadMessage, 'expected {"action":"press"} or {"action":"long-press"}');
          log.info({ action: body.action }, 'simulated button');
          if (body.action === 'press') opts.simButton!.press();
          else opts.simButton!.longPress();
          send(200, { ok: true, action: body.action });
        });
      }
      if (url === '/sim/tamper') {
        if (req.method !== 'POST') return fail(405, ErrorCode.BadRequest, 'use POST');
        if (!opts.simTamper) return fail(404, ErrorCode.NotFound, 'this terminal has a real door switch');
        return readJson(req, fail, (body) => {
          if (!TamperAction.Check(body)) return fail(400, ErrorCode.BadMessage, 'expected {"open":true} or {"open":false}');
          log.info({ open: body.open }, 'simulated door switch');
          opts.simTamper!.set(body.open);
          send(200, { ok: true, open: body.open });
        });
      }
      if (url === '/doctor') {
        if (req.method !== 'POST') return fail(405, ErrorCode.BadRequest, 'use POST');
        if (!opts.doctor) return fail(404, ErrorCode.NotFound, 'no self-test on this terminal');
        return runDoctor(opts.doctor, res, fail, log);
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

/** Reads a small JSON body; answers the error itself and calls back only with parsed JSON. */
function readJson(req: http.IncomingMessage, fail: (status: number, code: string, message: string) => void, then: (body: unknown) => void): void {
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
    then(body);
  });
}

/**
 * Streams the self-test as NDJSON: {"prompt"} when the technician must act,
 * {"line"} per check as it finishes, then {"report"}; so `helppoint-kiosk
 * doctor` can print "press the button now" at the right moment.
 */
function runDoctor(doctor: DoctorRunner, res: http.ServerResponse, fail: (status: number, code: string, message: string) => void, log: Logger): void {
  let started = false;
  const write = (obj: unknown) => {
    if (!started) {
      started = true;
      res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
    }
    res.write(`${JSON.stringify(obj)}\n`);
  };
  doctor
    .run('doctor', { onLine: (line, title) => write({ line, title }), onPrompt: (text) => write({ prompt: text }) })
    .then(
      (report) => {
        write({ report });
        res.end();
      },
      (err: unknown) => {
        const code = (err as { code?: unknown }).code === 'selftest_busy' ? ErrorCode.SelfTestBusy : ErrorCode.Internal;
        log.warn({ err }, 'doctor refused');
        if (started) {
          write({ error: { code, message: err instanceof Error ? err.message : String(err) } });
          res.end();
        } else fail(code === ErrorCode.SelfTestBusy ? 409 : 500, code, err instanceof Error ? err.message : String(err));
      },
    );
}
