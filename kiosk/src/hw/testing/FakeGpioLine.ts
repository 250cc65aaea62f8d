import type { GpioBackend, GpioLine, GpioLineRequest, GpioValue } from '../GpioLine.ts';

type WatchCallback = (err: Error | null | undefined, value: GpioValue) => void;

/** A GPIO line in memory: tests set the input level and see every write. */
export class FakeGpioLine implements GpioLine {
  readonly request: GpioLineRequest;
  value: GpioValue;
  writes: GpioValue[] = [];
  watchers: WatchCallback[] = [];
  unexported = 0;
  unwatched = 0;

  constructor(request: GpioLineRequest) {
    this.request = request;
    this.value = request.direction === 'high' ? 1 : 0;
  }

  /** A backend that records every line it hands out; `initial` is the level inputs start at. */
  static backend(initial?: GpioValue | ((offset: number) => GpioValue)): { backend: GpioBackend; lines: FakeGpioLine[] } {
    const lines: FakeGpioLine[] = [];
    const backend: GpioBackend = {
      kind: 'fake',
      description: 'fake GPIO',
      open: async (request) => {
        const line = new FakeGpioLine(request);
        if (initial !== undefined && request.direction === 'in') line.value = typeof initial === 'function' ? initial(request.offset) : initial;
        lines.push(line);
        return line;
      },
    };
    return { backend, lines };
  }

  readSync(): GpioValue {
    return this.value;
  }

  writeSync(value: GpioValue): void {
    this.value = value;
    this.writes.push(value);
  }

  watch(callback: WatchCallback): void {
    this.watchers.push(callback);
  }

  unwatchAll(): void {
    this.unwatched += 1;
    this.watchers = [];
  }

  unexport(): void {
    this.unexported += 1;
  }

  /** The line changes level, as the kernel would report it. */
  drive(value: GpioValue): void {
    this.value = value;
    for (const w of [...this.watchers]) w(null, value);
  }

  fail(err: Error): void {
    for (const w of [...this.watchers]) w(err, this.value);
  }
}
