import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import {
  AppError,
  CallDetailResponse,
  CallSearchQuery,
  CallSearchResponse,
  DispositionBody,
  DispositionSavedResponse,
  DutyConfigResponse,
  ErrorCode,
  SnapshotSavedResponse,
} from '@helppoint/shared';
import type { AuditRepo } from '../db/AuditRepo.ts';
import type { CallMediaRecord, CallMediaRepo } from '../db/CallMediaRepo.ts';
import type { CallRecord, CallRepo } from '../db/CallRepo.ts';
import { actorOf } from '../db/CallRepo.ts';
import type { DispositionRepo } from '../db/DispositionRepo.ts';
import type { SessionRepo } from '../db/SessionRepo.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import type { UserRepo } from '../db/UserRepo.ts';
import { may } from '../trust/roles.ts';
import { requirePermission } from './guard.ts';
import { strictSchema } from './strictSchema.ts';
import { isPrePressClip } from '../calls/PrePressClips.ts';
import type { EvidenceViews } from '../security/EvidenceViews.ts';
import { validateImage } from '../security/imageValidation.ts';

export interface HistoryDeps {
  sessions: SessionRepo;
  terminals: TerminalRepo;
  users: UserRepo;
  callRepo: CallRepo;
  dispositions: DispositionRepo;
  media: CallMediaRepo;
  audit: AuditRepo;
  mediaDir: string;
  /** Shown to consoles by GET /api/duty-config. */
  mapTileUrl: string;
  /** Audits each viewing of an evidence file once, whatever Range form its requests take. */
  evidence: EvidenceViews;
  /** Snapshots one call may keep (a quota: an officer cannot fill the disk from the console). */
  snapshotsPerCall: number;
  /** Refuses new evidence when the media disk is nearly full (disk_full). */
  assertDiskSpace: () => void;
}

const CallParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
const MediaParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const SNAPSHOT_MAX_BYTES = 2 * 1024 * 1024;
/** May correct another officer's disposition. */
const OVERSEERS = new Set(['supervisor', 'admin']);

/**
 * The call history: search, one call's full record (timeline, disposition,
 * snapshots, recordings), the disposition form, snapshots and the evidence
 * files themselves.
 */
export function registerHistoryRoutes(app: FastifyInstance, deps: HistoryDeps): void {
  const log = app.log.child({ component: 'history' });
  app.addContentTypeParser(['image/jpeg', 'image/png'], { parseAs: 'buffer', bodyLimit: SNAPSHOT_MAX_BYTES }, (_req, body, done) => done(null, body));

  const summary = (c: CallRecord) => {
    const t = deps.terminals.get(c.terminalId);
    const officer = c.answeredBy === null ? null : deps.users.get(c.answeredBy);
    const d = deps.dispositions.get(c.id);
    return {
      ...c,
      terminalName: t?.name ?? '',
      terminalNameEn: t?.nameEn ?? '',
      officer: officer ? { id: officer.id, displayName: officer.displayName } : null,
      disposition: d ? { incidentType: d.incidentType, outcome: d.outcome, dispatched: d.dispatched } : null,
    };
  };
  const mediaView = (m: CallMediaRecord, segment: number | null = null) => ({
    id: m.id,
    kind: m.kind,
    mime: m.mime,
    bytes: m.bytes,
    createdAt: m.createdAt,
    finishedAt: m.finishedAt,
    deletedAt: m.deletedAt,
    url: m.deletedAt === null ? `/api/media/${m.id}` : null,
    /** A recording's place among its side's segments (1, 2, … after media re-joins); null for snapshots. */
    segment,
    ...(isPrePressClip(m) ? { prePress: true } : {}),
  });
  const mustGetCall = (id: string): CallRecord => {
    const call = deps.callRepo.get(id);
    if (!call) throw new AppError(ErrorCode.CallNotFound, `no call ${id}`);
    return call;
  };

  app.get('/api/duty-config', { schema: { response: { 200: DutyConfigResponse } } }, async (req) => {
    requirePermission(deps.sessions, req, 'terminals.read');
    return { mapTileUrl: deps.mapTileUrl, officers: deps.users.list().filter((u) => may(u.role, 'calls.answer')).map((u) => ({ id: u.id, displayName: u.displayName })) };
  });

  app.get('/api/calls', { schema: { querystring: CallSearchQuery, response: { 200: CallSearchResponse } }, validatorCompiler: strictSchema }, async (req) => {
    requirePermission(deps.sessions, req, 'calls.read');
    const q = req.query as CallSearchQuery;
    if (q.from !== undefined && q.to !== undefined && q.to <= q.from) throw new AppError(ErrorCode.BadRequest, '"to" must be after "from"');
    const { limit = 50, ...filters } = q;
    return { calls: deps.callRepo.search({ limit, ...filters }).map(summary) };
  });

  app.get('/api/calls/:id', { schema: { params: CallParams, response: { 200: CallDetailResponse } }, validatorCompiler: strictSchema }, async (req) => {
    requirePermission(deps.sessions, req, 'calls.read');
    const call = mustGetCall((req.params as { id: string }).id);
    const names = new Map<string, string>();
    for (const u of deps.users.list()) names.set(actorOf.user(u.id), u.displayName);
    const events = deps.callRepo.events(call.id).map((e) => ({ ...e, actorName: e.actor ? (names.get(e.actor) ?? null) : null }));
    const media = withSegments(deps.media.forCall(call.id)).map(([m, n]) => mediaView(m, n));
    return { call, summary: summary(call), events, disposition: deps.dispositions.get(call.id), media };
  });

  app.post('/api/calls/:id/disposition', { schema: { params: CallParams, body: DispositionBody, response: { 200: DispositionSavedResponse } }, validatorCompiler: strictSchema }, async (req) => {
    const user = requirePermission(deps.sessions, req, 'calls.answer');
    const call = mustGetCall((req.params as { id: string }).id);
    // The officer who took the call writes it up; a supervisor may correct it; unanswered calls are anyone's.
    if (call.answeredBy !== null && call.answeredBy !== user.id && !OVERSEERS.has(user.role)) {
      throw new AppError(ErrorCode.NotYourCall, 'only the officer who answered (or a supervisor) may record the disposition');
    }
    const body = req.body as DispositionBody;
    const saved = deps.dispositions.save({ callId: call.id, ...body, notes: body.notes.trim(), recordedBy: user.id, recordedAt: Date.now() });
    deps.callRepo.addEvent(call.id, 'disposition', actorOf.user(user.id), { incidentType: body.incidentType, outcome: body.outcome, dispatched: body.dispatched });
    deps.audit.write({ actor: user.actor.label, action: 'call.disposition', target: call.id, detail: { outcome: body.outcome, dispatched: body.dispatched }, remote: req.ip });
    log.info({ callId: call.id, userId: user.id, outcome: body.outcome }, 'disposition recorded');
    return { disposition: saved };
  });

  app.post('/api/calls/:id/snapshots', { schema: { params: CallParams, response: { 200: SnapshotSavedResponse } }, validatorCompiler: strictSchema }, async (req) => {
    const user = requirePermission(deps.sessions, req, 'calls.answer');
    const call = mustGetCall((req.params as { id: string }).id);
    // Only the officer who has the call (answered it, or opened the look-in) takes its pictures.
    if (call.answeredBy !== user.id) throw new AppError(ErrorCode.NotYourCall, 'only the officer who answered this call may take snapshots of it');
    const body = req.body;
    const declared = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!Buffer.isBuffer(body)) throw new AppError(ErrorCode.BadRequest, 'send a JPEG or PNG image as image/jpeg or image/png');
    const image = validateImage(body, declared);
    const kept = deps.media.forCall(call.id).filter((m) => m.kind === 'snapshot').length;
    if (kept >= deps.snapshotsPerCall) {
      throw new AppError(ErrorCode.QuotaExceeded, `this call already has ${kept} snapshots, the most one call keeps`, { limit: deps.snapshotsPerCall });
    }
    deps.assertDiskSpace();
    const at = Date.now();
    const rel = path.posix.join('snapshots', new Date(at).toISOString().slice(0, 10), `${call.id}-${randomUUID()}.${image.mime === 'image/png' ? 'png' : 'jpg'}`);
    const file = path.join(deps.mediaDir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, body);
    const row = deps.media.add({ callId: call.id, kind: 'snapshot', file: rel, mime: image.mime, bytes: body.length, createdAt: at, finishedAt: at, takenBy: user.id });
    deps.callRepo.addEvent(call.id, 'snapshot', actorOf.user(user.id), { mediaId: row.id }, at);
    deps.audit.write({ actor: user.actor.label, action: 'call.snapshot', target: call.id, detail: { mediaId: row.id }, remote: req.ip });
    log.info({ callId: call.id, userId: user.id, bytes: body.length }, 'snapshot saved');
    return { media: mediaView(row) };
  });

  app.get('/api/media/:id', { schema: { params: MediaParams }, validatorCompiler: strictSchema }, async (req, reply) => {
    const user = requirePermission(deps.sessions, req, 'calls.read');
    const m = deps.media.get((req.params as { id: number }).id);
    if (!m || m.deletedAt !== null) throw new AppError(ErrorCode.NotFound, 'no such evidence file (it may have expired)');
    const file = path.join(deps.mediaDir, m.file);
    if (!fs.existsSync(file)) throw new AppError(ErrorCode.NotFound, 'the evidence file is missing on disk');
    // Watching a recording or a snapshot is access to evidence: audited once per viewing, whatever the Range.
    return sendFile(reply, file, m.mime, req.headers.range, () =>
      deps.evidence.served({ actor: user.actor.label, viewer: `user:${user.id}`, mediaId: m.id, callId: m.callId, kind: m.kind, range: req.headers.range, remote: req.ip }),
    );
  });
}

/**
 * Numbers each side's recordings in the order they started (the terminal's
 * video files and the officer's audio files each from 1): a call whose media
 * re-joined after a fault has several segments per side.
 */
function withSegments(list: CallMediaRecord[]): [CallMediaRecord, number | null][] {
  const counts = new Map<string, number>();
  return list.map((m) => {
    // The terminal's pre-press clip is not one of the relay's segments: numbering starts after it.
    if (m.kind !== 'recording' || isPrePressClip(m)) return [m, null];
    const n = (counts.get(m.mime) ?? 0) + 1;
    counts.set(m.mime, n);
    return [m, n];
  });
}

/**
 * Streams a file, honouring one byte range (start-end, start-, or a -suffix)
 * so a <video> can seek in a recording. Anything else in Range (several
 * ranges, units other than bytes, garbage) is ignored and the whole file is
 * sent, as RFC 9110 allows. `beforeBytes` runs exactly when bytes are about
 * to be sent, whichever of those forms the request took.
 */
function sendFile(reply: FastifyReply, file: string, mime: string, range: string | undefined, beforeBytes: () => void) {
  const size = fs.statSync(file).size;
  reply.header('content-type', mime).header('accept-ranges', 'bytes').header('cache-control', 'private, no-store');
  const r = parseRange(range, size);
  if (r === 'unsatisfiable') return reply.status(416).header('content-range', `bytes */${size}`).send();
  beforeBytes();
  if (r) {
    reply.status(206).header('content-range', `bytes ${r.start}-${r.end}/${size}`).header('content-length', r.end - r.start + 1);
    return reply.send(fs.createReadStream(file, { start: r.start, end: r.end }));
  }
  reply.header('content-length', size);
  return reply.send(fs.createReadStream(file));
}

export function parseRange(range: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (!m || (!m[1] && !m[2])) return null;
  if (!m[1]) {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
