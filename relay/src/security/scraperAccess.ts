import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** 127.0.0.0/8, ::1, and IPv4-mapped loopback. */
export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

/**
 * Whether a request may read operational detail (/metrics, the full
 * /healthz): with HELPPOINT_METRICS_TOKEN set, only with
 * `Authorization: Bearer <token>`; without one, only from the relay host
 * itself (a Prometheus on the station host, or an SSH tunnel).
 */
export function isTrustedScraper(req: FastifyRequest, token: string): boolean {
  if (!token) return isLoopback(req.ip);
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
