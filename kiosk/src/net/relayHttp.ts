import http from 'node:http';
import https from 'node:https';

export interface RelayHttpError extends Error {
  status: number;
  code: string;
}

/**
 * POSTs JSON to the relay. node:https rather than fetch so a pinned CA (a
 * station's own certificate authority) can be given for this request only.
 */
export function postJson<T>(url: string, body: unknown, opts: { ca?: Buffer | undefined; timeoutMs?: number } = {}): Promise<T> {
  return postBody<T>(url, Buffer.from(JSON.stringify(body)), 'application/json', opts);
}

export interface PostOptions {
  ca?: Buffer | undefined;
  timeoutMs?: number;
  /**
   * Send the body at no more than this many bytes a second (in 16 KiB pieces), so an upload
   * during a call leaves the terminal's narrow uplink to the call itself.
   */
  paceBytesPerSecond?: number;
}

const PACE_CHUNK = 16 * 1024;

/** POSTs raw bytes (a media clip) to the relay; resolves with its JSON answer, rejects with its error code. */
export function postBody<T>(url: string, payload: Buffer, contentType: string, opts: PostOptions = {}): Promise<T> {
  const target = new URL(url);
  const lib = target.protocol === 'https:' ? https : http;
  return new Promise<T>((resolve, reject) => {
    const req = lib.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': contentType, 'content-length': payload.length },
        timeout: opts.timeoutMs ?? 15_000,
        ...(opts.ca ? { ca: opts.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = JSON.parse(text);
          } catch {
            /* not JSON: the status says enough */
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(json as T);
          const e = (json as { error?: { code?: string; message?: string } } | null)?.error;
          reject(Object.assign(new Error(e?.message ?? `HTTP ${status}`), { status, code: e?.code ?? 'http_error' }) as RelayHttpError);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${target.origin}`)));
    req.on('error', reject);
    const rate = opts.paceBytesPerSecond;
    if (!rate || payload.length <= PACE_CHUNK) return void req.end(payload);
    let offset = 0;
    const t0 = Date.now();
    const next = (): void => {
      if (req.destroyed) return;
      const end = Math.min(payload.length, offset + PACE_CHUNK);
      const piece = payload.subarray(offset, end);
      offset = end;
      if (offset >= payload.length) return void req.end(piece);
      req.write(piece);
      // Scheduled against the start, so timer lateness on a busy terminal does not add up.
      setTimeout(next, Math.max(0, t0 + (offset / rate) * 1000 - Date.now()));
    };
    next();
  });
}
