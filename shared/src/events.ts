
/** Each event name maps to the tuple of arguments its listeners receive. */
export type EventMap<E> = { [K in keyof E]: unknown[] };

// Return type unknown so `() => count++` is fine; a returned promise is
// watched for rejection in emit().
export type Listener<Args extends unknown[]> = (...args: Args) => unknown;

export type ListenerErrorHandler = (error: unknown, event: string) => void;

export interface TypedEmitterOptions {
  /** Where a listener's exception (or async rejection) is reported. */
  onListenerError?: ListenerErrorHandler;
  /** Used when no onListenerError is given (any pino-like logger). */
  logger?: { error(obj: object, msg: string): void };
}

interface Entry {
  fn: (...args: unknown[]) => unknown;
  once: boolean;
}

/**
 * A small emitter with a declared event map. Hardware events (a button press)
 * reach code that may be buggy; a throwing listener must not stop the other
 * listeners nor the driver that emitted, so errors are caught and reported
 * rather than propagated into a GPIO interrupt handler or a child-process
 * stream callback where they would crash the kiosk.
 */
export class TypedEmitter<E extends EventMap<E>> {
  #listeners = new Map<keyof E, Entry[]>();
  #onListenerError: ListenerErrorHandler;

  constructor(opts: TypedEmitterOptions = {}) {
    const logger = opts.logger;
    this.#onListenerError =
      opts.onListenerError ??
      ((error, event) => {
        if (logger) logger.error({ err: error, event }, 'event listener failed');
        else console.error(`listener for "${event}" failed`, error);
      });
  }

  /** Owners that create their logger after construction point the reports at it here. */
  set onListenerError(handler: ListenerErrorHandler) {
    this.#onListenerError = handler;
  }

  on<K extends keyof E>(event: K, fn: Listener<E[K]>): this {
    return this.#add(event, fn, false);
  }

  once<K extends keyof E>(event: K, fn: Listener<E[K]>): this {
    return this.#add(event, fn, true);
  }

  /** Like on(), but called before the listeners already there (whoever waits on it most, e.g. the ring to the consoles). */
  prependListener<K extends keyof E>(event: K, fn: Listener<E[K]>): this {
    return this.#add(event, fn, false, true);
  }

  /** Removes one registration of fn (also one made with once). */
  off<K extends keyof E>(event: K, fn: Listener<E[K]>): this {
    const list = this.#listeners.get(event);
    if (!list) return this;
    const i = list.findIndex((entry) => entry.fn === (fn as Entry['fn']));
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#listeners.delete(event);
    return this;
  }

  removeAllListeners(event?: keyof E): this {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  listenerCount(event: keyof E): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /** Returns true when at least one listener was called. */
  emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const list = this.#listeners.get(event);
    if (!list || list.length === 0) return false;
    // Iterate a snapshot: a listener may call off()/on() while we loop.
    const snapshot = [...list];
    for (const entry of snapshot) {
      if (entry.once) this.off(event, entry.fn as Listener<E[K]>);
      try {
        const result = entry.fn(...args);
        if (isThenable(result)) {
          // An async listener's rejection would otherwise go nowhere.
          result.then(undefined, (error: unknown) => this.#report(error, event));
        }
      } catch (error) {
        this.#report(error, event);
      }
    }
    return true;
  }

  #add<K extends keyof E>(event: K, fn: Listener<E[K]>, once: boolean, first = false): this {
    let list = this.#listeners.get(event);
    if (!list) this.#listeners.set(event, (list = []));
    if (first) list.unshift({ fn: fn as Entry['fn'], once });
    else list.push({ fn: fn as Entry['fn'], once });
    return this;
  }

  #report(error: unknown, event: keyof E): void {
    try {
      this.#onListenerError(error, String(event));
    } catch {
      // A broken reporter must not break emission either.
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** Resolves with the event's arguments the next time it fires, or rejects after a timeout. */
export function waitFor<E extends EventMap<E>, K extends keyof E>(emitter: TypedEmitter<E>, event: K, timeoutMs: number): Promise<E[K]> {
  return new Promise((resolve, reject) => {
    const fn = (...args: E[K]) => {
      clearTimeout(timer);
      resolve(args);
    };
    const timer = setTimeout(() => {
      emitter.off(event, fn);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${String(event)}"`));
    }, timeoutMs);
    emitter.once(event, fn);
  });
}
