import fs from 'node:fs';

/**
 * The local UDP ports some socket on this machine is bound to, from the
 * kernel's tables (Linux: /proc/net/udp and udp6; elsewhere null, so the
 * caller falls back to waiting a fixed time).
 */
export function boundUdpPorts(): Set<number> | null {
  const ports = new Set<number>();
  let read = false;
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    read = true;
    // "  sl  local_address rem_address   st ..." then rows like "  12: 0100007F:D2B9 00000000:0000 07 ..."
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      const hex = local?.split(':').at(-1);
      if (hex) ports.add(Number.parseInt(hex, 16));
    }
  }
  return read ? ports : null;
}

/**
 * Resolves true once every port is bound, false after `timeoutMs` or when
 * `gaveUp` resolves first (the listening process exited). Null when the
 * kernel's tables cannot be read here.
 */
export async function waitForUdpListeners(ports: readonly number[], opts: { timeoutMs: number; gaveUp: Promise<unknown>; pollMs?: number }): Promise<boolean | null> {
  let over = false;
  void opts.gaveUp.then(() => (over = true));
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const bound = boundUdpPorts();
    if (!bound) return null;
    if (ports.every((p) => bound.has(p))) return true;
    if (over || Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 25));
  }
}
