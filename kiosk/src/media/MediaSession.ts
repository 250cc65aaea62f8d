import type { Logger } from 'pino';
import { Device } from 'mediasoup-client';
import { IceRecovery, type IceRecoveryOptions, type TerminalRequestResult, type TerminalSender } from '@helppoint/shared';
import type { types as msc } from 'mediasoup-client';
import type { Camera } from '../hw/Camera.ts';
import type { Microphone } from '../hw/Microphone.ts';
import type { Speaker } from '../hw/Speaker.ts';
import { installWebRtcGlobals } from './webrtcGlobals.ts';

/** The signalling calls the media session needs (SignalClient provides them). */
export type MediaSignal = TerminalSender;

/**
 * The wire carries mediasoup's parameter objects opaquely (RtcObject: the
 * relay's mediasoup checks them); this is the one place the kiosk reads them
 * as mediasoup-client's types.
 */
function transportOptions(o: TerminalRequestResult<'rtc.createTransport'>): msc.TransportOptions {
  return {
    id: o.id,
    iceParameters: o.iceParameters as msc.IceParameters,
    iceCandidates: o.iceCandidates as msc.IceCandidate[],
    dtlsParameters: o.dtlsParameters as msc.DtlsParameters,
  };
}

export interface MediaStats {
  callId: string | null;
  videoFramesSent: number;
  audioFramesSent: number;
  officerAudioFrames: number;
  sendTransportState: string | null;
  recvTransportState: string | null;
  /** Recovery after network faults (issue 6): ICE restarts and full re-joins in this call. */
  iceRestarts: number;
  rejoins: number;
}

type WrtcTrack = msc.ProducerOptions['track'] & object;

/** Timings of the automatic recovery (tests shorten them). */
export type RecoveryTimings = Pick<IceRecoveryOptions, 'graceMs' | 'connectTimeoutMs' | 'maxRejoins' | 'backoff'>;

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
  #stats: MediaStats = emptyStats(null);
  /** The tracks fed by the camera and microphone pumps: re-produced as they are after a re-join. */
  #tracks: { video: WrtcTrack; audio: WrtcTrack } | null = null;
  #officerProducerId: string | null = null;
  #recovery: { send: IceRecovery; recv: IceRecovery } | null = null;
  readonly #recoveryTimings: RecoveryTimings;
  /** Serialises start/stop so a quick cancel never races a half-started call. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: { signal: MediaSignal; camera: Camera; microphone: Microphone; speaker: Speaker; logger: Logger; recovery?: RecoveryTimings }) {
    this.#recoveryTimings = opts.recovery ?? {};
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
    await device.load({ routerRtpCapabilities: routerRtpCapabilities as msc.RtpCapabilities });
    this.#device = device;
    this.#loadedCaps = key;
    this.#log.info({ canSendVideo: device.canProduce('video'), canSendAudio: device.canProduce('audio') }, 'media device loaded');
  }

  get stats(): MediaStats {
    return { ...this.#stats, ...this.#recoveryCounts() };
  }

  #recoveryCounts(): Pick<MediaStats, 'iceRestarts' | 'rejoins'> {
    const r = this.#recovery;
    return r ? { iceRestarts: r.send.restarts + r.recv.restarts, rejoins: r.send.rejoins + r.recv.rejoins } : { iceRestarts: 0, rejoins: 0 };
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
    this.#stats = emptyStats(callId);
    const log = this.#log.child({ callId });
    this.#recovery = {
      send: this.#newRecovery(callId, 'send', log),
      recv: this.#newRecovery(callId, 'recv', log),
    };
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

    this.#tracks = { video: videoTrack, audio: audioTrack };
    await this.#openSend(device, callId, log, t0);
    log.info({ ms: Date.now() - t0 }, 'camera and microphone live in the call');
  }

  /** The send transport with the camera and microphone on it (at call start, and again at each re-join). */
  async #openSend(device: Device, callId: string, log: Logger, t0: number): Promise<void> {
    const tracks = this.#tracks;
    if (!tracks) throw new Error('no camera and microphone tracks');
    const opts = await this.#signal.request('rtc.createTransport', { direction: 'send', callId });
    const transport = device.createSendTransport(transportOptions(opts));
    this.#sendTransport = transport;
    this.#wireTransport(transport, log);
    transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
      this.#signal
        .request('rtc.produce', { transportId: transport.id, kind, rtpParameters, callId })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
    transport.on('connectionstatechange', (state) => {
      if (this.#sendTransport !== transport) return;
      this.#stats.sendTransportState = state;
      log.info({ state, ms: Date.now() - t0 }, 'send transport state');
    });
    // VP8 for the picture (wrtc has no H264); a modest bitrate suits LTE uplinks.
    const vp8 = device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
    await transport.produce({ track: tracks.video, ...(vp8 ? { codec: vp8 } : {}), encodings: [{ maxBitrate: 900_000 }], stopTracks: false });
    await transport.produce({ track: tracks.audio, stopTracks: false });
  }

  #newRecovery(callId: string, direction: 'send' | 'recv', log: Logger): IceRecovery {
    const current = () => (direction === 'send' ? this.#sendTransport : this.#recvTransport);
    return new IceRecovery({
      ...this.#recoveryTimings,
      label: direction,
      log,
      restartIce: async () => {
        const transport = current();
        if (!transport || transport.closed) throw new Error('no transport to restart');
        const { iceParameters } = await this.#signal.request('rtc.restartIce', { transportId: transport.id });
        await transport.restartIce({ iceParameters: iceParameters as msc.IceParameters });
        log.info({ transportId: transport.id, direction }, 'ICE restarted with the relay\'s new parameters');
      },
      rejoin: () => this.#enqueue(() => (direction === 'send' ? this.#rejoinSend(callId, log) : this.#rejoinRecv(callId, log))),
      giveUp: () => {
        if (this.#callId !== callId) return;
        log.error({ direction }, 'call media lost for good: ending the call as media_failed');
        this.#signal.request('help.cancel', { callId, reason: 'media_failed' }).catch((err: unknown) => log.warn({ err }, 'media_failed not delivered'));
      },
    });
  }

  async #rejoinSend(callId: string, log: Logger): Promise<void> {
    const device = this.#device;
    if (!device || this.#callId !== callId) return;
    this.#sendTransport?.close();
    this.#sendTransport = null;
    log.warn('re-joining: new send transport, camera and microphone produced again');
    await this.#openSend(device, callId, log, Date.now());
    log.info('re-joined: camera and microphone produced again');
  }

  async #rejoinRecv(callId: string, log: Logger): Promise<void> {
    if (this.#callId !== callId) return;
    this.#recvTransport?.close();
    this.#recvTransport = null;
    const producerId = this.#officerProducerId;
    log.warn({ producerId }, 're-joining: new receive transport for the officer\'s voice');
    if (producerId) await this.#playOfficer(callId, producerId);
    else this.#recovery?.recv.reset(); // nothing to hear yet: the next call.officerAudio builds it
  }

  async #playOfficer(callId: string, producerId: string): Promise<void> {
    const device = this.#device;
    if (!device || this.#callId !== callId) {
      this.#log.warn({ callId, producerId }, 'officer audio for a call that is not ours; ignored');
      return;
    }
    const log = this.#log.child({ callId });
    this.#officerProducerId = producerId;
    if (!this.#recvTransport) {
      const opts = await this.#signal.request('rtc.createTransport', { direction: 'recv', callId });
      const recv = device.createRecvTransport(transportOptions(opts));
      this.#recvTransport = recv;
      this.#wireTransport(recv, log);
      recv.on('connectionstatechange', (state) => {
        if (this.#recvTransport === recv) this.#stats.recvTransportState = state;
      });
    }
    const transport = this.#recvTransport;
    const params = await this.#signal.request('rtc.consume', { transportId: transport.id, producerId, rtpCapabilities: device.rtpCapabilities });
    const consumer = await transport.consume({ ...params, rtpParameters: params.rtpParameters as msc.RtpParameters });
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
      const current = transport.direction === 'send' ? this.#sendTransport : this.#recvTransport;
      // Only the transport in use drives recovery; a replaced one may still report its end.
      if (current === transport) this.#recovery?.[transport.direction].stateChanged(state);
    });
  }

  async #stop(): Promise<void> {
    if (!this.#callId) return;
    const callId = this.#callId;
    this.#callId = null;
    const counts = this.#recoveryCounts();
    this.#recovery?.send.close();
    this.#recovery?.recv.close();
    this.#recovery = null;
    this.#officerProducerId = null;
    this.#tracks = null;
    this.#sink?.stop();
    this.#sink = null;
    this.#sendTransport?.close();
    this.#recvTransport?.close();
    this.#sendTransport = null;
    this.#recvTransport = null;
    await this.#stopPumps?.();
    this.#stopPumps = null;
    this.#log.info({ ...this.#stats, ...counts, callId }, 'call media stopped');
  }

  async close(): Promise<void> {
    await this.stopCall();
  }
}

function emptyStats(callId: string | null): MediaStats {
  return {
    callId,
    videoFramesSent: 0,
    audioFramesSent: 0,
    officerAudioFrames: 0,
    sendTransportState: callId ? 'new' : null,
    recvTransportState: null,
    iceRestarts: 0,
    rejoins: 0,
  };
}
