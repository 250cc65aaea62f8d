import type { types } from 'mediasoup';
import { AppError, ErrorCode, type CallView } from '@helppoint/shared';

export type MediaSide = 'terminal' | 'officer';

interface ProducerOwner {
  callId: string;
  side: MediaSide;
  kind: 'audio' | 'video';
}

/** What the authoriser needs to know about calls. */
export interface CallLookup {
  view(callId: string): CallView | null;
}

/**
 * Who may consume which producer. Every producer is recorded with the call
 * and side it belongs to when it is made; a consume is allowed only when
 * the consumer is part of that call:
 * - a console: the terminal's camera and microphone, on a transport opened
 *   for that same call, while it rings (every officer may preview) or once
 *   answered only by the officer who answered it (a look-in is answered by
 *   the officer who opened it);
 * - a terminal: only the officer's microphone of its own call.
 * Knowing a producer id (the call history shows them) is not enough.
 */
export class MediaAuthorisation {
  readonly #owners = new Map<string, ProducerOwner>();
  readonly #calls: CallLookup;

  constructor(opts: { calls: CallLookup }) {
    this.#calls = opts.calls;
  }

  /** Called where a producer is accepted into a call (both gateways' onProduce; a terminal's standing producer each time it joins one). */
  track(callId: string, side: MediaSide, producer: types.Producer): void {
    this.#owners.set(producer.id, { callId, side, kind: producer.kind });
    producer.observer.once('close', () => this.#owners.delete(producer.id));
  }

  /** Throws not_your_call unless the officer is part of the call (ringing preview, or they answered it). */
  assertOfficerInCall(officerId: number, callId: string): CallView {
    const call = this.#calls.view(callId);
    if (!call) throw new AppError(ErrorCode.CallNotFound, `no call ${callId}`);
    if (call.state === 'ended') throw new AppError(ErrorCode.CallEnded, 'the call has already ended');
    if (call.state === 'ringing' && call.kind !== 'lookin') return call;
    if (call.answeredBy?.id === officerId) return call;
    throw new AppError(ErrorCode.NotYourCall, 'another officer has this call');
  }

  /** For a console's consume; returns what is consumed, for the audit row. */
  authoriseConsole(officerId: number, transportCallId: string | undefined, producerId: string): ProducerOwner {
    const owner = this.#owners.get(producerId);
    if (!owner) throw new AppError(ErrorCode.CannotConsume, `no producer ${producerId} in any open call`);
    if (owner.side !== 'terminal') throw new AppError(ErrorCode.NotYourCall, 'consoles receive the terminal\'s media only');
    // A transport opened for a call carries only that call; the warm receive transport a signed-in console
    // keeps (no call) carries whichever call the officer is part of, checked just below.
    if (transportCallId !== undefined && transportCallId !== owner.callId) throw new AppError(ErrorCode.NotYourCall, 'that producer belongs to another call than this transport');
    // A terminal's standing producers outlive the call they were last in: once it ended they are idle again,
    // in no call at all, which is the same refusal as a producer nobody tracked.
    const call = this.#calls.view(owner.callId);
    if (!call || call.state === 'ended') throw new AppError(ErrorCode.CannotConsume, `producer ${producerId} is in no open call`);
    this.assertOfficerInCall(officerId, owner.callId);
    return owner;
  }

  /** For a terminal's consume: only the officer audio of its own call. */
  authoriseTerminal(terminalId: string, transportCallId: string | undefined, producerId: string): ProducerOwner {
    const owner = this.#owners.get(producerId);
    if (!owner) throw new AppError(ErrorCode.CannotConsume, `no producer ${producerId} in any open call`);
    const call = this.#calls.view(owner.callId);
    if (!call || call.state === 'ended') throw new AppError(ErrorCode.CallEnded, 'the call has already ended');
    if (call.terminal.id !== terminalId || owner.side !== 'officer') throw new AppError(ErrorCode.NotYourCall, 'that producer is not part of this terminal\'s call');
    if (transportCallId !== undefined && transportCallId !== owner.callId) throw new AppError(ErrorCode.NotYourCall, 'that producer belongs to another call than this transport');
    return owner;
  }
}
