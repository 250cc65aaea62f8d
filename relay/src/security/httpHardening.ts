import type { FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import { AppError, ErrorCode } from '@helppoint/shared';

export interface HttpHardeningOptions {
  /** Signs known-device cookies (kept in the database, so it survives restarts). */
  cookieSecret: string;
  /** The station's map tile server, if any: the console loads its images. */
  mapTileUrl: string;
  /** Requests per address per minute on the anonymous, guessable endpoints (sign-in, enrolment). */
  authPerMinute?: number;
  /** Requests per address per minute on everything else (a console makes a few per action). */
  generalPerMinute?: number;
  /** Further origins the pages may open sockets to (a district relay: its stations, where district officers take media). */
  extraConnectSrc?: () => string[];
}

/** Routes an anonymous client can hammer; they get a much tighter per-address request budget. */
const AUTH_ROUTES = new Set(['/api/login', '/api/enrol', '/api/me/password']);

/**
 * Everything HTTP-wide, registered before any route so every page and API
 * (including the ones other features add later) gets it:
 * - @fastify/helmet: a strict Content-Security-Policy written for the console
 *   bundle (scripts and styles only from the relay, WebRTC media as blob:
 *   and MediaStreams, the socket on the same origin, map tiles from the
 *   configured server), frame-ancestors 'none' against click-jacking,
 *   nosniff, no referrer, HSTS only when served over TLS;
 * - @fastify/cookie: parses cookies and signs the known-device cookie;
 * - @fastify/rate-limit: a per-address request budget, much tighter on the
 *   sign-in and enrolment routes, answered 429 with Retry-After.
 */
export async function installHttpHardening(app: FastifyInstance, opts: HttpHardeningOptions & { tls: boolean }): Promise<void> {
  let tileOrigin: string | null = null;
  try {
    if (opts.mapTileUrl) tileOrigin = new URL(opts.mapTileUrl.replace(/\{[a-z]\}/g, '0')).origin;
  } catch {
    tileOrigin = null;
  }
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...(tileOrigin ? [tileOrigin] : [])],
        mediaSrc: ["'self'", 'blob:'],
        // 'self' covers same-origin ws/wss in current browsers; spelled out for older ones.
        connectSrc: [
          "'self'",
          (req) => [`${opts.tls ? 'wss' : 'ws'}://${(req as { headers: { host?: string } }).headers.host ?? 'localhost'}`, ...(opts.extraConnectSrc?.() ?? [])].join(' '),
        ],
        fontSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: opts.tls ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
    // The console plays WebRTC media and loads tiles from another origin; COEP would block the tiles.
    crossOriginEmbedderPolicy: false,
  });
  await app.register(fastifyCookie, { secret: opts.cookieSecret, hook: 'onRequest' });
  const authMax = opts.authPerMinute ?? 30;
  app.addHook('onRoute', (route) => {
    if (AUTH_ROUTES.has(route.url)) route.config = { ...(route.config as object), rateLimit: { max: authMax, timeWindow: 60_000 } } as typeof route.config;
  });
  await app.register(fastifyRateLimit, {
    global: true,
    max: opts.generalPerMinute ?? 1200,
    timeWindow: 60_000,
    // Static files of the console are cheap and loaded in bursts; the API is what needs a budget.
    allowList: (req) => !(req.url ?? '').startsWith('/api/'),
    errorResponseBuilder: (_req, ctx) =>
      new AppError(ErrorCode.RateLimited, `too many requests; try again in ${Math.ceil(ctx.ttl / 1000)} s`, { retryAfterS: Math.ceil(ctx.ttl / 1000) }),
  });
}
