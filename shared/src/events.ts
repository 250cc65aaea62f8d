type Listener<Args extends unknown[]> = (...args: Args) => void;
// Stored type-erased; the public methods keep the per-event types.
type AnyListener = (...args: unknown[]) => void;

/**
 * A small typed event emitter. A listener that throws does not stop the other
 * listeners nor the emitter: the error goes to `onListenerError` (which the
 * owner points at its logger) so it is reported, never swallowed.
 */
export class TypedEmitter<Events extends { [K in keyof Events]: unknown[] }> {
  #listeners = new Map<keyof Events, Set<AnyListener>>();
  onListenerError: (error: unknown, event: keyof Events) => void = (error, event) => {
    console.error(`listener for "${String(event)}" threw`, error);
  };

  on<K extends keyof Events>(event: K, fn: Listener<Events[K]>): this {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(fn as unknown as AnyListener);
    return this;
  }

  off<K extends keyof Events>(event: K, fn: Listener<Events[K]>): this {
    this.#listeners.get(event)?.delete(fn as unknown as AnyListener);
    return this;
  }

  once<K extends keyof Events>(event: K, fn: Listener<Events[K]>): this {
    const wrapper = ((...args: Events[K]) => {
      this.off(event, wrapper);
      fn(...args);
    }) as Listener<Events[K]>;
    return this.on(event, wrapper);
  }

  emit<K extends keyof Events>(event: K, ...args: Events[K]): boolean {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return false;
    for (const fn of [...set]) {
      try {
        fn(...(args as unknown[]));
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
    return true;
  }

  listenerCount<K extends keyof Events>(event: K): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }
}

/** Resolves with the event's arguments the next time it fires, or rejects after a timeout. */
export function waitFor<Events extends { [K in keyof Events]: unknown[] }, K extends keyof Events>(
  emitter: TypedEmitter<Events>,
  event: K,
  timeoutMs: number,
): Promise<Events[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, fn);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${String(event)}"`));
    }, timeoutMs);
    const fn = (...args: Events[K]) => {
      clearTimeout(timer);
      emitter.off(event, fn);
      resolve(args);
    };
    emitter.on(event, fn);
  });
}
