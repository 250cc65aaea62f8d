import { PassThrough, type Readable } from 'node:stream';
import { AppError, ErrorCode } from '@helppoint/shared';

/**
 * How slowly an admin's package upload may come in. A 200 MiB .deb over a
 * slow station link takes far longer than the relay's normal 30 s per
 * request, so the upload route gives an authorised upload the time its size
 * needs at minBytesPerSec; and so that this cannot be used to hold a socket
 * open, every windowMs of it must bring at least minBytesPerSec × window.
 */
export interface UploadPace {
  minBytesPerSec: number;
  windowMs: number;
}

/** The longest an upload of this many bytes may take: its size at the slowest pace, plus one window. */
export function uploadAllowanceMs(bytes: number, pace: UploadPace): number {
  return pace.windowMs + Math.ceil((bytes / pace.minBytesPerSec) * 1000);
}

/**
 * The body, passed through; fails with upload_too_slow when a window brings
 * less than the pace (the last, partial window is not judged). The original
 * body is unpiped and left alone, so the route can still answer. stop() when
 * the upload is over, however it ended (nothing is judged after that).
 */
export function pacedBody(body: Readable, pace: UploadPace): { body: Readable; stop: () => void } {
  const out = new PassThrough();
  const floor = Math.ceil((pace.minBytesPerSec * pace.windowMs) / 1000);
  let inWindow = 0;
  let total = 0;
  const timer = setInterval(() => {
    if (inWindow < floor) {
      clearInterval(timer);
      body.unpipe(out);
      const rate = Math.round((inWindow * 1000) / pace.windowMs);
      out.destroy(new AppError(ErrorCode.UploadTooSlow, `the upload came in at ${rate} bytes/s over the last ${pace.windowMs / 1000} s; the relay needs at least ${pace.minBytesPerSec} bytes/s (stopped after ${total} bytes)`));
      return;
    }
    inWindow = 0;
  }, pace.windowMs);
  timer.unref();
  body.on('data', (chunk: Buffer) => {
    inWindow += chunk.length;
    total += chunk.length;
  });
  const stop = () => clearInterval(timer);
  body.once('end', stop);
  body.once('close', stop);
  out.once('close', stop);
  body.pipe(out);
  return { body: out, stop };
}
