import WebSocket from 'ws';
import type { JobView } from '../../shared/src/index.ts';

/**
 * A simulated responder for the demo (and tests): signs in, goes on duty at
 * a start position, and when a job is offered accepts it, walks straight to
 * the terminal at a walking pace reporting its position, marks on scene, and
 * after a short while done. It speaks the same REST and /ws/responder
 * protocol as the phone page.
 */
export interface SimResponderOptions {
  relayUrl: string;
  username: string;
  password: string;
  start: { latitude: number; longitude: number };
  /** Metres per second (1.4 is walking; the demo uses a brisk bike). */
  speedMps?: number;
  reportEveryMs?: number;
  acceptAfterMs?: number;
  doneAfterMs?: number;
  log?: (line: string) => void;
}

export class SimResponder {
  readonly #o: Required<SimResponderOptions>;
  #cookie = '';
  #ws: WebSocket | null = null;
  #pos: { latitude: number; longitude: number };
  #busy = new Set<number>();
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;

  private constructor(o: SimResponderOptions) {
    this.#o = { speedMps: 4, reportEveryMs: 2_500, acceptAfterMs: 3_000, doneAfterMs: 15_000, log: () => undefined, ...o };
    this.#pos = { ...o.start };
  }

  static async start(o: SimResponderOptions): Promise<SimResponder> {
    const sim = new SimResponder(o);
    await sim.#signIn();
    await sim.#api('POST', '/api/responder/duty', { onDuty: true });
    await sim.#api('POST', '/api/responder/position', { ...sim.#pos, accuracyM: 5 });
    await sim.#connect();
    return sim;
  }

  get position(): { latitude: number; longitude: number } {
    return { ...this.#pos };
  }

  async #signIn(): Promise<void> {
    const res = await fetch(`${this.#o.relayUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: this.#o.username, password: this.#o.password }) });
    if (res.status !== 200) throw new Error(`sim responder ${this.#o.username}: sign-in HTTP ${res.status}`);
    this.#cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  }

  async #api(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.#o.relayUrl}${path}`, { method, headers: { cookie: this.#cookie, 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });
    const json = (await res.json().catch(() => null)) as unknown;
    if (res.status >= 400) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  #connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${this.#o.relayUrl.replace(/^http/, 'ws')}/ws/responder`, { headers: { cookie: this.#cookie } });
      this.#ws = ws;
      ws.on('open', () => ws.send(JSON.stringify({ id: 1, type: 'hello', data: {} })));
      ws.on('message', (raw) => {
        const f = JSON.parse(raw.toString()) as { id?: number; ok?: boolean; type?: string; data?: { jobs?: JobView[]; job?: JobView }; error?: unknown };
        if (f.id === 1) {
          if (!f.ok) reject(new Error(`sim responder hello refused: ${JSON.stringify(f.error)}`));
          else {
            for (const j of f.data?.jobs ?? []) this.#onJob(j);
            resolve();
          }
        } else if (f.type === 'job.updated' && f.data?.job) this.#onJob(f.data.job);
      });
      ws.on('error', reject);
    });
  }

  #later(ms: number, fn: () => Promise<void> | void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#closed) Promise.resolve(fn()).catch((error: unknown) => this.#o.log(`sim responder ${this.#o.username}: ${String(error)}`));
    }, ms);
    this.#timers.add(t);
  }

  #onJob(job: JobView): void {
    const d = job.dispatch;
    if (d.status !== 'assigned' || this.#busy.has(d.id)) return;
    this.#busy.add(d.id);
    this.#o.log(`sim responder ${this.#o.username}: job ${d.id} at ${job.terminal.id}, accepting in ${this.#o.acceptAfterMs} ms`);
    this.#later(this.#o.acceptAfterMs, async () => {
      await this.#status(d.id, 'accepted');
      await this.#status(d.id, 'en_route');
      this.#walk(d.id, job.terminal);
    });
  }

  #walk(id: number, to: { latitude: number; longitude: number }): void {
    const step = this.#o.speedMps * (this.#o.reportEveryMs / 1000);
    this.#later(this.#o.reportEveryMs, async () => {
      const dLat = (to.latitude - this.#pos.latitude) * 111_320;
      const dLon = (to.longitude - this.#pos.longitude) * 111_320 * Math.cos((to.latitude * Math.PI) / 180);
      const left = Math.hypot(dLat, dLon);
      const f = left <= step ? 1 : step / left;
      this.#pos = { latitude: this.#pos.latitude + (to.latitude - this.#pos.latitude) * f, longitude: this.#pos.longitude + (to.longitude - this.#pos.longitude) * f };
      await this.#api('POST', '/api/responder/position', { ...this.#pos, accuracyM: 5 });
      if (f < 1) return this.#walk(id, to);
      await this.#status(id, 'on_scene');
      this.#later(this.#o.doneAfterMs, () => this.#status(id, 'done', { note: '模拟处警：已到场，群众无恙 simulated: on scene, resident fine' }));
    });
  }

  async #status(id: number, status: string, extra: Record<string, string> = {}): Promise<void> {
    await this.#api('POST', `/api/responder/jobs/${id}/status`, { status, ...extra });
    this.#o.log(`sim responder ${this.#o.username}: job ${id} ${status}`);
    if (status === 'done') this.#busy.delete(id);
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#ws?.close();
  }
}
