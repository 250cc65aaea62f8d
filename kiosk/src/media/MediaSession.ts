import type { Logger } from 'pino';
import { Device } from 'mediasoup-client';
import type { types as msc } from 'mediasoup-client';
import { MediaTransport, type RecoveryTimings, type TerminalSender } from '@helppoint/shared';
import type { Camera } from '../hw/Camera.ts';
import type { Microphone } from '../hw/Microphone.ts';
import type { Speaker } from '../hw/Speaker.ts';
import { installWebRtcGlobals } from './webrtcGlobals.ts';
import { LinkAdapter, type LinkAdapterStats } from './LinkAdapter.ts';
import { setVideoEncoding } from './senderEncoding.ts';
import { VIDEO_MAX_BPS } from './videoLadder.ts';

export type { RecoveryTimings };

/** The signalling calls the media session needs (SignalClient provides them). */
export type MediaSignal = TerminalSender;

/**
 * The wire carries mediasoup's parameter objects opaquely (RtcObject: the
 * relay's mediasoup checks them); this is where the kiosk reads a consumer's
 * as mediasoup-client's type.
 */
function consumerOptions(o: { id: string; producerId: string; kind: 'audio' | 'video'; rtpParameters: Record<string, unknown> }): msc.ConsumerOptions {
  return { id: o.id, producerId: o.producerId, kind: o.kind, rtpParameters: o.rtpParameters as msc.RtpParameters };
}

export interface MediaStats {
  callId: string | null;
  videoFramesSent: number;
  audioFramesSent: number;
  officerAudioFrames: number;
  sendTransportState: string | null;
  recvTransportState: string | null;
  /** Recovery after network faults (issue 6): ICE restarts and full re-joins (warm transports: since the last hello). */
  iceRestarts: number;
  rejoins: number;
  /** The send transport is connected and the camera and microphone producers stand by (issue 15). */
  warm: boolean;
  /** How the picture follows the uplink in this call (null outside a call). */
  link: LinkAdapterStats | null;
}

type WrtcTrack = msc.ProducerOptions['track'] & object;

interface Link {
  device: Device;
  send: MediaTransport;
  recv: MediaTransport;
  /** Camera and microphone producers on the send transport, fed only during a call. */
  producers: { video: msc.Producer; audio: msc.Producer } | null;
  /** Set up the link (producers made, receive side warmed): null while that is under way or failed. */
  ready: Promise<void> | null;
}

/**
 * Sends the camera and microphone into a call and plays the officer's voice
 * on the speaker, through mediasoup-client on top of @roamhq/wrtc. Camera
 * frames (I420) go into an RTCVideoSource, 10 ms PCM frames into an
 * RTCAudioSource; the officer's track comes out of an RTCAudioSink.
 *
 * Warm while idle (issue 15): at each hello the send transport is created
 * and connected with the camera and microphone producers on it (the relay
 * lets nobody consume them outside a call; the sources get no frames, so nothing is sent), and
 * the receive transport is connected too (on a consumer of a producer that
 * never sends). A press then only starts the camera and microphone pumps;
 * the relay puts the standing producers into the new call itself.
 */
export class MediaSession {
  readonly #signal: MediaSignal;
  readonly #camera: Camera;
  readonly #mic: Microphone;
  readonly #speaker: Speaker;
  readonly #log: Logger;
  readonly #wrtc = installWebRtcGlobals();
  readonly #recoveryTimings: RecoveryTimings;
  /** One video and one audio source for the life of the service: the producers' tracks. */
  readonly #sources = this.#makeSources();
  #link: Link | null = null;
  #loadedCaps: string | null = null;
  #callId: string | null = null;
  #pumping = false;
  #officer: { consumer: msc.Consumer; sink: { stop(): void } } | null = null;
  #adapter: LinkAdapter | null = null;
  #officerProducerId: string | null = null;
  #stats: MediaStats = emptyStats(null);
  #closed = false;
  /** Serialises warm-up, start and stop so a quick cancel never races a half-started call. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: { signal: MediaSignal; camera: Camera; microphone: Microphone; speaker: Speaker; logger: Logger; recovery?: RecoveryTimings }) {
    this.#recoveryTimings = opts.recovery ?? {};
    this.#signal = opts.signal;
    this.#camera = opts.camera;
    this.#mic = opts.microphone;
    this.#speaker = opts.speaker;
    this.#log = opts.logger.child({ component: 'media' });
  }

  #makeSources() {
    const video = new this.#wrtc.nonstandard.RTCVideoSource();
    const audio = new this.#wrtc.nonstandard.RTCAudioSource();
    return { video, audio, videoTrack: video.createTrack() as WrtcTrack, audioTrack: audio.createTrack() as WrtcTrack };
  }

  /**
   * At every hello: the relay dropped whatever this terminal had on the old
   * connection, so the link is built again (codecs loaded, transports warm).
   */
  load(routerRtpCapabilities: Record<string, unknown>): Promise<void> {
    return this.#enqueue(async () => {
      const key = JSON.stringify(routerRtpCapabilities);
      let device = this.#link?.device ?? null;
      this.#dropLink();
      if (!device || this.#loadedCaps !== key) {
        device = new Device({ handlerName: 'Chrome111' });
        await device.load({ routerRtpCapabilities: routerRtpCapabilities as msc.RtpCapabilities });
        this.#loadedCaps = key;
        this.#log.info({ canSendVideo: device.canProduce('video'), canSendAudio: device.canProduce('audio') }, 'media device loaded');
      }
      this.#link = this.#newLink(device);
      await this.#warm(this.#link).catch((err: unknown) => this.#log.warn({ err }, 'could not warm the media link while idle; the next call tries again'));
    });
  }

  /**
   * The relay lost this terminal's transports (a mediasoup worker died, the
   * call ended as media_failed): new ones now, rather than waiting for ICE
   * to notice. Queued before the redial's startCall.
   */
  rebuildLink(): Promise<void> {
    return this.#enqueue(async () => {
      const device = this.#link?.device;
      if (!device || this.#closed) return;
      this.#dropLink();
      this.#link = this.#newLink(device);
      this.#log.warn('media link rebuilt after the relay lost it');
      await this.#warm(this.#link).catch((err: unknown) => this.#log.warn({ err }, 'could not warm the rebuilt media link'));
    });
  }

  get stats(): MediaStats {
    const link = this.#link;
    return {
      ...this.#stats,
      sendTransportState: link?.send.connectionState ?? null,
      recvTransportState: link?.recv.connectionState ?? null,
      iceRestarts: link ? link.send.restarts + link.recv.restarts : 0,
      rejoins: link ? link.send.rejoins + link.recv.rejoins : 0,
      warm: link?.producers != null && link.send.connectionState === 'connected',
      link: this.#adapter?.stats ?? null,
    };
  }

  /**
   * The camera and microphone start before the call exists (the press is on
   * its way): frames go to the standing producers, which the relay puts
   * into the call when it creates it. stopCall() stops them if no call follows.
   */
  prepare(): Promise<void> {
    return this.#enqueue(() => this.#startPumps());
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

  #newLink(device: Device): Link {
    const log = this.#log;
    const signal = this.#signal;
    const signalFor = (direction: 'send' | 'recv') => ({
      // No callId: warm transports outlive calls.
      create: () => signal.request('rtc.createTransport', { direction }),
      connect: (transportId: string, dtlsParameters: msc.DtlsParameters) =>
        signal.request('rtc.connectTransport', { transportId, dtlsParameters: dtlsParameters as Record<string, unknown> }).then(() => undefined),
      restartIce: (transportId: string) => signal.request('rtc.restartIce', { transportId }).then((r) => r.iceParameters as msc.IceParameters),
      produce: (transportId: string, kind: 'audio' | 'video', rtpParameters: msc.RtpParameters) =>
        signal.request('rtc.produce', { transportId, kind, rtpParameters: rtpParameters as Record<string, unknown> }).then((r) => r.producerId),
    });
    const link: Link = {
      device,
      producers: null,
      ready: null,
      send: new MediaTransport({
        device,
        direction: 'send',
        signal: signalFor('send'),
        log,
        recovery: this.#recoveryTimings,
        serialize: (job) => this.#enqueue(job),
        repopulate: async (transport) => {
          link.producers = null;
          await this.#produce(link, transport);
          if (this.#callId) this.#adapt(link, log);
          log.info({ callId: this.#callId }, 're-joined: camera and microphone produced again');
        },
        giveUp: () => this.#gaveUp(link, 'send'),
        onState: (state) => log.info({ state, callId: this.#callId }, 'send transport state'),
      }),
      recv: new MediaTransport({
        device,
        direction: 'recv',
        signal: signalFor('recv'),
        log,
        recovery: this.#recoveryTimings,
        serialize: (job) => this.#enqueue(job),
        repopulate: async (transport) => {
          this.#closeOfficer();
          await this.#warmRecv(link, transport);
          const callId = this.#callId;
          const producerId = this.#officerProducerId;
          log.warn({ producerId }, "re-joined: new receive transport for the officer's voice");
          if (callId && producerId) await this.#playOfficer(callId, producerId);
        },
        giveUp: () => this.#gaveUp(link, 'recv'),
      }),
    };
    return link;
  }

  /** Every re-join failed: in a call it ends as media_failed; idle, the next hello or call builds a new link. */
  #gaveUp(link: Link, direction: 'send' | 'recv'): void {
    if (this.#link !== link) return;
    const callId = this.#callId;
    const device = link.device;
    this.#dropLink();
    this.#link = this.#newLink(device);
    if (!callId) {
      this.#log.warn({ direction }, 'warm media link lost; rebuilt at the next call');
      return;
    }
    this.#log.error({ direction, callId }, 'call media lost for good: ending the call as media_failed');
    this.#signal.request('help.cancel', { callId, reason: 'media_failed' }).catch((err: unknown) => this.#log.warn({ err }, 'media_failed not delivered'));
  }

  /** Producers made and the receive transport connected; shared by concurrent callers, retried after a failure. */
  #warm(link: Link): Promise<void> {
    link.ready ??= (async () => {
      const t0 = Date.now();
      await this.#produce(link, await link.send.open());
      await this.#warmRecv(link, await link.recv.open());
      this.#log.info({ ms: Date.now() - t0 }, 'media link warm: camera and microphone producers standing by');
    })().catch((error: unknown) => {
      link.ready = null;
      throw error;
    });
    return link.ready;
  }

  async #produce(link: Link, transport: msc.Transport): Promise<void> {
    const { device } = link;
    // VP8 for the picture (wrtc has no H264); a modest bitrate suits LTE uplinks.
    const vp8 = device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
    const video = await transport.produce({ track: this.#sources.videoTrack, ...(vp8 ? { codec: vp8 } : {}), encodings: [{ maxBitrate: VIDEO_MAX_BPS }], stopTracks: false });
    // The voice matters most on a bad link: in-band FEC against loss, and it goes first when the uplink is short.
    const audio = await transport.produce({
      track: this.#sources.audioTrack,
      stopTracks: false,
      codecOptions: { opusFec: true, opusDtx: false },
      encodings: [{ priority: 'high', networkPriority: 'high' }],
    });
    link.producers = { video, audio };
  }

  /** The picture follows the uplink while a call lasts (the producers are idle otherwise). */
  #adapt(link: Link, log: Logger): void {
    this.#adapter?.close();
    this.#adapter = null;
    const transport = link.send.current;
    if (!transport || !link.producers) return;
    this.#adapter = new LinkAdapter({ transport, video: link.producers.video, cameraFps: this.#camera.fps, logger: log });
  }

  async #warmRecv(link: Link, transport: msc.Transport): Promise<void> {
    const params = await this.#signal.request('rtc.warmUp', { transportId: transport.id, rtpCapabilities: link.device.rtpCapabilities as Record<string, unknown> });
    // Consuming the never-sending beacon makes the transport connect now (it stays paused).
    await transport.consume(consumerOptions(params));
  }

  async #start(callId: string): Promise<void> {
    if (this.#closed) throw new Error('media session closed');
    const link = this.#link;
    if (!link) throw new Error('media device not loaded (no hello yet)');
    if (this.#callId) await this.#stop();
    this.#callId = callId;
    const t0 = Date.now();
    // The link is normally warm already (if not, it is made while the camera starts).
    const warm = this.#warm(link);
    warm.catch(() => undefined);
    await this.#startPumps();
    this.#stats.callId = callId;
    await warm;
    this.#adapt(link, this.#log.child({ callId }));
    this.#log.info({ callId, ms: Date.now() - t0 }, 'camera and microphone live in the call');
  }

  /** Camera and microphone frames into the sources (once per call; prepare() may have done it). */
  async #startPumps(): Promise<void> {
    if (this.#closed || this.#pumping) return;
    this.#stats = emptyStats(this.#callId);
    this.#pumping = true;
    const t0 = Date.now();
    const log = this.#log;
    try {
      await this.#camera.start((frame) => {
        this.#sources.video.onFrame({ width: frame.width, height: frame.height, data: frame.data });
        // Call set-up time is measured from these logs (scripts/bench-call-setup).
        if (++this.#stats.videoFramesSent === 1) log.info({ callId: this.#callId, ms: Date.now() - t0 }, 'first camera frame');
      });
      await this.#mic.start((samples) => {
        this.#sources.audio.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: samples.length });
        this.#stats.audioFramesSent++;
      });
    } catch (error) {
      this.#pumping = false;
      await Promise.allSettled([this.#camera.stop(), this.#mic.stop()]);
      throw error;
    }
  }

  async #playOfficer(callId: string, producerId: string): Promise<void> {
    const link = this.#link;
    if (!link || this.#callId !== callId) {
      this.#log.warn({ callId, producerId }, 'officer audio for a call that is not ours; ignored');
      return;
    }
    const log = this.#log.child({ callId });
    this.#officerProducerId = producerId;
    const transport = await link.recv.open();
    const params = await this.#signal.request('rtc.consume', { transportId: transport.id, producerId, rtpCapabilities: link.device.rtpCapabilities as Record<string, unknown> });
    const consumer = await transport.consume(consumerOptions(params));
    this.#closeOfficer();
    const sink = new this.#wrtc.nonstandard.RTCAudioSink(consumer.track);
    sink.ondata = (d: { samples: Int16Array; sampleRate: number; channelCount?: number }) => {
      this.#speaker.write(d.samples, d.sampleRate, d.channelCount ?? 1);
      this.#stats.officerAudioFrames++;
    };
    this.#officer = { consumer, sink };
    await this.#signal.request('rtc.resumeConsumer', { consumerId: consumer.id });
    log.info({ producerId }, "officer's voice playing on the speaker");
  }

  #closeOfficer(): void {
    this.#officer?.sink.stop();
    this.#officer?.consumer.close();
    this.#officer = null;
  }

  async #stop(): Promise<void> {
    if (!this.#callId && !this.#pumping) return;
    const callId = this.#callId;
    this.#callId = null;
    this.#officerProducerId = null;
    this.#closeOfficer();
    const linkStats = this.#adapter?.stats ?? null;
    if (this.#adapter) {
      this.#adapter.close();
      this.#adapter = null;
      // The next call starts from the full picture again; its own link decides from there.
      const video = this.#link?.producers?.video;
      if (video && !video.closed) {
        await setVideoEncoding(video, { maxBitrate: VIDEO_MAX_BPS, scaleResolutionDownBy: 1, maxFramerate: 30 }).catch((err: unknown) => this.#log.warn({ err }, 'could not reset the video encoder'));
      }
    }
    if (this.#pumping) {
      this.#pumping = false;
      await Promise.allSettled([this.#camera.stop(), this.#mic.stop()]);
    }
    // The transports and producers stay idle (no frames, nothing sent), and the next press reuses them.
    this.#log.info({ ...this.stats, link: linkStats, callId }, 'call media stopped');
  }

  #dropLink(): void {
    const link = this.#link;
    this.#link = null;
    if (!link) return;
    link.send.close();
    link.recv.close();
    this.#closeOfficer();
  }

  async close(): Promise<void> {
    await this.stopCall();
    this.#closed = true;
    this.#dropLink();
    this.#sources.videoTrack.stop();
    this.#sources.audioTrack.stop();
  }
}

function emptyStats(callId: string | null): MediaStats {
  return {
    callId,
    videoFramesSent: 0,
    audioFramesSent: 0,
    officerAudioFrames: 0,
    sendTransportState: null,
    recvTransportState: null,
    iceRestarts: 0,
    rejoins: 0,
    warm: false,
    link: null,
  };
}
