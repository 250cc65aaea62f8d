import type { Logger } from 'pino';
import { Device } from 'mediasoup-client';
import type { types as msc } from 'mediasoup-client';
import type { Camera } from '../hw/Camera.ts';
import type { Microphone } from '../hw/Microphone.ts';
import type { Speaker } from '../hw/Speaker.ts';
import { installWebRtcGlobals } from './webrtcGlobals.ts';

/** The signalling calls the media session needs (SignalClient provides them). */
export interface MediaSignal {
  request<T>(type: string, data: unknown): Promise<T>;
}

interface TransportOptions {
  id: string;
  iceParameters: msc.IceParameters;
  iceCandidates: msc.IceCandidate[];
  dtlsParameters: msc.DtlsParameters;
}

export interface MediaStats {
  callId: string | null;
  videoFramesSent: number;
  audioFramesSent: number;
  officerAudioFrames: number;
  sendTransportState: string | null;
}

/**
 * Sends the camera and microphone into a call and plays the officer's voice
 * on the speaker, through mediasoup-client on top of @roamhq/wrtc. Camera
 * frames (I420) go into an RTCVideoSource, 10 ms PCM frames into an
 * RTCAudioSource; the officer's track comes out of an RTCAudioSink.
 */
export class MediaSession {
  readonly #signal: MediaSignal;
  readonly #camera: Camera;
  readonly #mic: Microphone;
  readonly #speaker: Speaker;
  readonly #log: Logger;
  readonly #wrtc = installWebRtcGlobals();
  #device: Device | null = null;
  #loadedCaps: string | null = null;
  #callId: string | null = null;
  #sendTransport: msc.Transport | null = null;
  #recvTransport: msc.Transport | null = null;
  #stopPumps: (() => Promise<void>) | null = null;
  #sink: { stop(): void } | null = null;
  #stats: MediaStats = { callId: null, videoFramesSent: 0, audioFramesSent: 0, officerAudioFrames: 0, sendTransportState: null };
  /** Serialises start/stop so a quick cancel never races a half-started call. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: { signal: MediaSignal; camera: Camera; microphone: Microphone; speaker: Speaker; logger: Logger }) {
    this.#signal = opts.signal;
    this.#camera = opts.camera;
    this.#mic = opts.microphone;
    this.#speaker = opts.speaker;
    this.#log = opts.logger.child({ component: 'media' });
  }

  /** Loads the relay's codecs; done at every hello so a press costs no extra round trip. */
  async load(routerRtpCapabilities: Record<string, unknown>): Promise<void> {
    const key = JSON.stringify(routerRtpCapabilities);
    if (this.#device && this.#loadedCaps === key) return;
    const device = new Device({ handlerName: 'Chrome111' });
    await device.load({ routerRtpCapabilities: routerRtpCapabilities as unknown as msc.RtpCapabilities });
    this.#device = device;
    this.#loadedCaps = key;
    this.#log.info({ canSendVideo: device.canProduce('video'), canSendAudio: device.canProduce('audio') }, 'media device loaded');
  }

  get stats(): MediaStats {
    return { ...this.#stats };
  }

  startCall(callId: string): Promise<void> {
    return this.#enqueue(() => this.#start(callId));
  }

  playOfficerAudio(callId: string, producerId: string): Promise<void> {
    return this.#enqueue(() => this.#playOfficer(callId, producerId));
  }

  stopCall(): Promise<void> {
    return this.#enqueue(() => this.#stop());
  }

  #enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #start(callId: string): Promise<void> {
    const device = this.#device;
    if (!device) throw new Error('media device not loaded (no hello yet)');
    if (this.#callId) await this.#stop();
    this.#callId = callId;
    this.#stats = { callId, videoFramesSent: 0, audioFramesSent: 0, officerAudioFrames: 0, sendTransportState: 'new' };
    const log = this.#log.child({ callId });
    const t0 = Date.now();

    const videoSource = new this.#wrtc.nonstandard.RTCVideoSource();
    const audioSource = new this.#wrtc.nonstandard.RTCAudioSource();
    const videoTrack = videoSource.createTrack();
    const audioTrack = audioSource.createTrack();

    // Start the pumps first: the camera takes a moment to deliver its first frame.
    await this.#camera.start((frame) => {
      videoSource.onFrame({ width: frame.width, height: frame.height, data: frame.data });
      // Call set-up time is measured from these logs (scripts/bench-call-setup).
      if (++this.#stats.videoFramesSent === 1) log.info({ ms: Date.now() - t0 }, 'first camera frame');
    });
    await this.#mic.start((samples) => {
      audioSource.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: samples.length });
      this.#stats.audioFramesSent++;
    });
    this.#stopPumps = async () => {
      await Promise.allSettled([this.#camera.stop(), this.#mic.stop()]);
      videoTrack.stop();
      audioTrack.stop();
    };

    const opts = await this.#signal.request<TransportOptions>('rtc.createTransport', { direction: 'send', callId });
    const transport = device.createSendTransport(opts);
    this.#sendTransport = transport;
    this.#wireTransport(transport, log);
    transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
      this.#signal
        .request<{ producerId: string }>('rtc.produce', { transportId: transport.id, kind, rtpParameters, callId })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
    transport.on('connectionstatechange', (state) => {
      this.#stats.sendTransportState = state;
      log.info({ state, ms: Date.now() - t0 }, 'send transport state');
    });
    // VP8 for the picture (wrtc has no H264); a modest bitrate suits LTE uplinks.
    const vp8 = device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
    await transport.produce({ track: videoTrack, ...(vp8 ? { codec: vp8 } : {}), encodings: [{ maxBitrate: 900_000 }], stopTracks: false });
    await transport.produce({ track: audioTrack, stopTracks: false });
    log.info({ ms: Date.now() - t0 }, 'camera and microphone live in the call');
  }

  async #playOfficer(callId: string, producerId: string): Promise<void> {
    const device = this.#device;
    if (!device || this.#callId !== callId) {
      this.#log.warn({ callId, producerId }, 'officer audio for a call that is not ours; ignored');
      return;
    }
    const log = this.#log.child({ callId });
    if (!this.#recvTransport) {
      const opts = await this.#signal.request<TransportOptions>('rtc.createTransport', { direction: 'recv', callId });
      this.#recvTransport = device.createRecvTransport(opts);
      this.#wireTransport(this.#recvTransport, log);
    }
    const transport = this.#recvTransport;
    const params = await this.#signal.request<{ id: string; producerId: string; kind: 'audio' | 'video'; rtpParameters: msc.RtpParameters }>(
      'rtc.consume',
      { transportId: transport.id, producerId, rtpCapabilities: device.rtpCapabilities },
    );
    const consumer = await transport.consume(params);
    this.#sink?.stop();
    const sink = new this.#wrtc.nonstandard.RTCAudioSink(consumer.track);
    sink.ondata = (d: { samples: Int16Array; sampleRate: number; channelCount?: number }) => {
      this.#speaker.write(d.samples, d.sampleRate, d.channelCount ?? 1);
      this.#stats.officerAudioFrames++;
    };
    this.#sink = sink;
    await this.#signal.request('rtc.resumeConsumer', { consumerId: consumer.id });
    log.info({ producerId }, "officer's voice playing on the speaker");
  }

  #wireTransport(transport: msc.Transport, log: Logger): void {
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.#signal.request('rtc.connectTransport', { transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
    });
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed') log.error({ transportId: transport.id, direction: transport.direction }, 'media transport failed');
    });
  }

  async #stop(): Promise<void> {
    if (!this.#callId) return;
    const callId = this.#callId;
    this.#callId = null;
    this.#sink?.stop();
    this.#sink = null;
    this.#sendTransport?.close();
    this.#recvTransport?.close();
    this.#sendTransport = null;
    this.#recvTransport = null;
    await this.#stopPumps?.();
    this.#stopPumps = null;
    this.#log.info({ ...this.#stats, callId }, 'call media stopped');
  }

  async close(): Promise<void> {
    await this.stopCall();
  }
}
