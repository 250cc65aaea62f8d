import { Device, type types } from 'mediasoup-client';
import { CallMedia } from '../CallMedia.ts';
import { ConsoleSocket } from '../ConsoleSocket.ts';
import type { CallView } from '../protocolTypes.ts';

export interface DistrictCallMediaEvents {
  onChange: () => void;
  onError: (code: string, message: string) => void;
  /** The station ended the call or refused the ticket. */
  onEnded: (reason: string) => void;
}

/**
 * A district officer's media for a call they took: straight from the owning
 * station's relay (no hop through the district), on a console socket signed
 * in by the ticket the station issued with its answer. Reuses the station
 * console's CallMedia: the same transports, ICE recovery and microphone.
 */
export class DistrictCallMedia {
  readonly #socket: ConsoleSocket;
  readonly #ev: DistrictCallMediaEvents;
  readonly callId: string;
  #media: CallMedia | null = null;
  #call: CallView | null = null;
  /** When the answer was clicked, and when the first video frame arrived (the set-up time the console reports). */
  readonly startedAt = performance.now();
  firstFrameMs: number | null = null;

  constructor(opts: { consoleUrl: string; callId: string } & DistrictCallMediaEvents) {
    this.callId = opts.callId;
    this.#ev = opts;
    this.#socket = new ConsoleSocket({ url: opts.consoleUrl, sessionValid: async () => null });
    this.#socket.on('hello', (hello) => void this.#onHello(hello.routerRtpCapabilities, hello.calls));
    this.#socket.on('event', (type, data) => {
      if (type !== 'call.updated') return;
      const call = (data as { call: CallView }).call;
      if (call.id === this.callId) this.#update(call);
    });
    this.#socket.on('unauthenticated', () => this.#ev.onEnded('unauthenticated'));
    this.#socket.start();
  }

  async #onHello(caps: Record<string, unknown>, calls: CallView[]): Promise<void> {
    this.#media?.close();
    const device = new Device();
    try {
      await device.load({ routerRtpCapabilities: caps as unknown as types.RtpCapabilities });
    } catch (error) {
      this.#ev.onError('rtc_failed', error instanceof Error ? error.message : String(error));
      return;
    }
    this.#media = new CallMedia({
      callId: this.callId,
      device,
      request: (type, data) => this.#socket.request(type, data),
      onError: (code, message) => this.#ev.onError(code, message),
      onChange: () => this.#ev.onChange(),
    });
    const call = calls.find((c) => c.id === this.callId) ?? this.#call;
    if (call) this.#update(call);
  }

  #update(call: CallView): void {
    this.#call = call;
    if (call.state === 'ended') {
      this.close();
      this.#ev.onEnded(call.endReason ?? 'ended');
      return;
    }
    this.#media?.sync({ producers: call.producers, sendMic: call.state === 'answered' });
  }

  tracks(kind: 'audio' | 'video'): MediaStreamTrack[] {
    return this.#media?.tracks(kind) ?? [];
  }

  get micState(): string {
    return this.#media?.micState ?? 'off';
  }

  close(): void {
    this.#media?.close();
    this.#media = null;
    this.#socket.close();
  }
}
