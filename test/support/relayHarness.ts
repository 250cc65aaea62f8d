import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import { Relay } from '../../relay/src/app.ts';
import { defaultConfig, type RelayConfig } from '../../relay/src/config.ts';

/** An in-process relay on a free port with a fresh SQLite file and the demo data. */
export async function startTestRelay(overrides: Partial<RelayConfig> = {}): Promise<{ relay: Relay; url: string; dir: string; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-relay-'));
  const config: RelayConfig = {
    ...defaultConfig(),
    port: 0,
    dbPath: path.join(dir, 'relay.db'),
    rtcBasePort: 0,
    numWorkers: 1,
    demo: true,
    logLevel: 'silent',
    // Test files sign in many times from 127.0.0.1; the sign-in request budget is tested where it is set.
    authPerMinute: 1000,
    // Tests count one audit row per refused attempt; the anonymous audit budget is tested where it is set.
    anonymousAuditLimits: { perAddress: 100_000, total: 100_000, windowMs: 60_000 },
    ...overrides,
  };
  const logger = pino({ level: process.env['HELPPOINT_TEST_LOG'] ?? 'silent' });
  const relay = await Relay.create(config, logger);
  const url = await relay.listen(config.host, config.port);
  return {
    relay,
    url,
    dir,
    close: async () => {
      await relay.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A raw WebSocket peer that records every frame, for poking gateways with good and bad input. */
export class RawPeer {
  readonly ws: WebSocket;
  readonly frames: Record<string, unknown>[] = [];
  closed: { code: number; reason: string } | null = null;
  #waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (raw) => {
      this.frames.push(JSON.parse(raw.toString()) as Record<string, unknown>);
      this.#wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.#wake();
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const peer = new RawPeer(ws);
      ws.once('open', () => resolve(peer));
      ws.once('error', reject);
    });
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const fn of w) fn();
  }

  async until<T>(pick: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = pick();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out; frames: ${JSON.stringify(this.frames).slice(0, 500)}; closed: ${JSON.stringify(this.closed)}`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  /** Sends raw text and waits for the response to request `id` (or any error without id). */
  async sendRaw(text: string | Buffer, id: number | null): Promise<Record<string, unknown>> {
    const before = this.frames.length;
    this.ws.send(text);
    return this.until(() => this.frames.slice(before).find((f) => ('ok' in f) && f['id'] === id));
  }

  request(id: number, type: string, data: unknown): Promise<Record<string, unknown>> {
    return this.sendRaw(JSON.stringify({ id, type, data }), id);
  }

  waitClosed(timeoutMs = 5000) {
    return this.until(() => this.closed, timeoutMs);
  }

  close(): void {
    this.ws.close();
  }
}
