import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { TypedEmitter } from '@helppoint/shared';
import { MEDIA_CODECS } from './mediaCodecs.ts';

export interface WorkerPoolOptions {
  numWorkers: number;
  listenIp: string;
  announcedAddress: string | undefined;
  /** 0: each WebRtcServer picks a free port. */
  basePort: number;
  logger: Logger;
}

/** One mediasoup worker per core, each with one WebRtcServer (one port) and one router. */
export interface PoolSlot {
  index: number;
  worker: types.Worker;
  webRtcServer: types.WebRtcServer;
  router: types.Router;
  /**
   * A producer that never sends: a warm receive transport consumes it (paused)
   * so its ICE and DTLS are up before any call needs it (rtc.warmUp).
   */
  beacon: types.Producer;
  /** Terminals placed on this slot; calls follow their terminal. */
  load: number;
}

/** The beacon's RTP: opus on a fixed SSRC; no packet is ever sent with it. */
const BEACON_RTP: types.RtpParameters = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 0x48_50_00_01 }],
};

export class WorkerPool extends TypedEmitter<{ workerDied: [PoolSlot]; workerReplaced: [PoolSlot]; closed: [] }> {
  readonly #slots: PoolSlot[] = [];
  readonly #opts: WorkerPoolOptions;
  readonly #log: Logger;
  /** Producers already piped into each router (the promise of the piping). */
  readonly #piped = new WeakMap<types.Router, Map<string, Promise<void>>>();
  #closed = false;

  private constructor(opts: WorkerPoolOptions) {
    super();
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'sfu' });
    this.onListenerError = (error, event) => this.#log.error({ err: error, event }, 'sfu listener failed');
  }

  static async create(opts: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(opts);
    try {
      for (let i = 0; i < opts.numWorkers; i++) pool.#slots.push(await pool.#startSlot(i));
    } catch (error) {
      await pool.close();
      throw error;
    }
    pool.#log.info({ workers: opts.numWorkers, pids: pool.#slots.map((s) => s.worker.pid) }, 'mediasoup workers ready');
    return pool;
  }

  /**
   * `into`: the slot of a dead worker, refilled in place so every terminal
   * session holding it gets the fresh router without being told.
   */
  async #startSlot(index: number, into?: PoolSlot): Promise<PoolSlot> {
    const worker = await mediasoup.createWorker({ logLevel: 'warn' });
    const port = this.#opts.basePort ? { port: this.#opts.basePort + index } : {};
    const listen = { ip: this.#opts.listenIp, announcedAddress: this.#opts.announcedAddress, ...port };
    const webRtcServer = await worker.createWebRtcServer({
      listenInfos: [
        { protocol: 'udp', ...listen },
        { protocol: 'tcp', ...listen },
      ],
    });
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    const direct = await router.createDirectTransport();
    const beacon = await direct.produce({ kind: 'audio', rtpParameters: BEACON_RTP, appData: { beacon: true } });
    const slot: PoolSlot = into ? Object.assign(into, { worker, webRtcServer, router, beacon }) : { index, worker, webRtcServer, router, beacon, load: 0 };
    worker.on('died', (error) => {
      if (this.#closed) return;
      this.#log.error({ err: error, worker: index, pid: worker.pid }, 'mediasoup worker died; replacing it');
      this.emit('workerDied', slot);
      void this.#startSlot(index, slot).then(
        (fresh) => {
          this.#slots[index] = fresh;
          this.#log.info({ worker: index, pid: fresh.worker.pid }, 'mediasoup worker replaced');
          this.emit('workerReplaced', fresh);
        },
        (err: unknown) => this.#log.fatal({ err, worker: index }, 'could not replace mediasoup worker'),
      );
    });
    return slot;
  }

  /** Least-loaded slot; a terminal keeps its slot for all its calls. */
  acquire(): PoolSlot {
    let best: PoolSlot | undefined;
    for (const slot of this.#slots) if (!best || slot.load < best.load) best = slot;
    if (!best) throw new Error('worker pool is closed');
    best.load++;
    return best;
  }

  /**
   * Makes a producer of one worker's router consumable on another's (a
   * console's warm receive transport lives on one worker; calls on all of
   * them). Piped once per producer and router; the pipe closes with the producer.
   */
  async pipe(producerId: string, from: PoolSlot, to: PoolSlot): Promise<void> {
    if (from === to) return;
    let piped = this.#piped.get(to.router);
    if (!piped) this.#piped.set(to.router, (piped = new Map()));
    let done = piped.get(producerId);
    if (!done) {
      const map = piped;
      done = from.router.pipeToRouter({ producerId, router: to.router }).then(({ pipeProducer }) => {
        pipeProducer?.observer.once('close', () => map.delete(producerId));
      });
      done.catch(() => map.delete(producerId));
      piped.set(producerId, done);
    }
    await done;
  }

  release(slot: PoolSlot): void {
    slot.load = Math.max(0, slot.load - 1);
  }

  get routerRtpCapabilities(): types.RtpCapabilities {
    const slot = this.#slots[0];
    if (!slot) throw new Error('worker pool is closed');
    return slot.router.rtpCapabilities;
  }

  get slots(): readonly PoolSlot[] {
    return this.#slots;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots) slot.worker.close();
    this.#slots.length = 0;
    this.emit('closed');
  }
}
