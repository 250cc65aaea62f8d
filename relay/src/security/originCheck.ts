import type { IncomingMessage } from 'node:http';
import type { WsKind } from './ConnectionGuard.ts';

/**
 * Cross-site WebSocket hijacking defence. Browsers always send Origin on a
 * WebSocket upgrade and a page cannot forge it, so:
 * - the console socket accepts a browser only from the relay's own origin
 *   (or one listed in HELPPOINT_ALLOWED_ORIGINS, e.g. a dev server);
 * - the terminal socket is for kiosks, which are not browsers: any Origin
 *   at all means a web page is trying, and is refused.
 * A client that sends no Origin is not a browser page: it still needs a
 * session cookie (console) or an enrolled key (terminal).
 * Returns null when allowed, or why not.
 */
export function originRefusal(kind: WsKind, req: IncomingMessage, allowed: readonly string[]): string | null {
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  if (kind === 'terminal') return 'terminals do not connect from web pages';
  if (allowed.includes(origin)) return null;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return 'unreadable Origin';
  }
  return host !== '' && host === req.headers.host ? null : `origin ${origin} is not this relay`;
}
