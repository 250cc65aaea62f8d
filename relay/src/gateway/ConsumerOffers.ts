import type { Logger } from 'pino';
import type { CallView, EventData, ConsoleEvents } from '@helppoint/shared';

type Offer = EventData<typeof ConsoleEvents, 'rtc.consumersOffered'>;
type ConsumerInfo = Offer['consumers'][number];

/** An rtc.consume made by the relay itself (same checks, pipes and audit: rtcHandlers.rtcMedia). */
export type ConsumeFn = (
  d: { transportId: string; producerId: string; rtpCapabilities: Record<string, unknown> },
  /** Hands over the consumer's audit, to be run once the offer is out. */
  record: (audit: () => void) => void,
) => Promise<ConsumerInfo>;

/**
 * A ringing call's consumers, made for one console before it asks (issue 15).
 *
 * Without this the officer's first picture waits for the console to see the
 * ring, ask rtc.consume, get the answer and only then resume: on a busy
 * 2-core machine the ring-to-request gap alone was 150–300 ms (bench-call-setup
 * relay logs). Made here, in the same tick as the ring goes out, the consumers
 * are ready by the time the console has drawn the card; it builds them in one
 * negotiation and resumes them.
 *
 * Offers go only on the console's warm receive transport (rtc.warmUp tells
 * which, with the capabilities to consume with), once per producer: a
 * re-joined terminal's new producer is offered again, an answered or ended
 * call is not.
 */
export class ConsumerOffers {
  readonly #consume: ConsumeFn;
  readonly #send: (offer: Offer) => void;
  readonly #log: Logger;
  #warm: { transportId: string; rtpCapabilities: Record<string, unknown> } | null = null;
  /** Producers offered (or being offered) per call. */
  readonly #offered = new Map<string, Set<string>>();

  constructor(opts: { consume: ConsumeFn; send: (offer: Offer) => void; logger: Logger }) {
    this.#consume = opts.consume;
    this.#send = opts.send;
    this.#log = opts.logger;
  }

  /** The console's warm receive transport is connected: later rings are offered on it. */
  warmedUp(transportId: string, rtpCapabilities: Record<string, unknown>): void {
    // A rebuilt transport (network fault) starts over: the console consumes its calls again itself.
    if (this.#warm?.transportId !== transportId) this.#offered.clear();
    this.#warm = { transportId, rtpCapabilities };
  }

  /** A call this console is shown changed: offer its new producers while it rings. */
  offer(call: CallView): void {
    const warm = this.#warm;
    if (!warm || call.state !== 'ringing' || !call.producers.length) return;
    let offered = this.#offered.get(call.id);
    if (!offered) this.#offered.set(call.id, (offered = new Set()));
    const fresh = call.producers.filter((p) => !offered.has(p.id));
    if (!fresh.length) return;
    for (const p of fresh) offered.add(p.id);
    const t0 = Date.now();
    // Video first in the list: the console builds them together, but the picture is what the officer waits for.
    const ordered = [...fresh].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'video' ? -1 : 1));
    // Called from a prepended callUpdated listener: the worker gets the consume requests now and makes
    // the consumers while this thread goes through the call's other listeners (recordings, dispatch …).
    const audits: (() => void)[] = [];
    const record = (audit: () => void) => void audits.push(audit);
    void Promise.allSettled(ordered.map((p) => this.#consume({ transportId: warm.transportId, producerId: p.id, rtpCapabilities: warm.rtpCapabilities }, record))).then(
      (results) => {
        try {
          this.#offerMade(call, warm, ordered, results, t0);
        } finally {
          // In this same task, so before any resume from the console can be read.
          for (const audit of audits) audit();
        }
      },
    );
  }

  /** The worker made (or refused) a call's consumers: offer those it made. */
  #offerMade(call: CallView, warm: { transportId: string }, ordered: CallView['producers'], results: PromiseSettledResult<ConsumerInfo>[], t0: number): void {
    const consumers = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ producerId: ordered[i]!.id, reason: String((r.reason as Error)?.message ?? r.reason) }] : []));
    // Not offered: the console asks with rtc.consume after its wait, and gets the refusal's code itself.
    if (failed.length) this.#log.info({ callId: call.id, failed }, 'could not offer some consumers; the console will ask');
    if (!consumers.length || this.#warm?.transportId !== warm.transportId) return;
    this.#send({ callId: call.id, consumers });
    this.#log.debug({ callId: call.id, consumers: consumers.map((c) => c.kind), ms: Date.now() - t0 }, 'consumers offered');
  }

  forget(callId: string): void {
    this.#offered.delete(callId);
  }

  close(): void {
    this.#warm = null;
    this.#offered.clear();
  }
}
