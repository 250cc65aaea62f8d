import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import { AppError, ErrorCode, type CallView } from '@helppoint/shared';
import {
  DistrictAnswerRequest,
  DistrictHangupRequest,
  DistrictLookinRequest,
  type DistrictCommandReply,
  type DistrictRight,
  type DistrictTokenClaims,
} from '../../../shared/src/protocol/district.ts';
import type { CallService, Officer } from '../calls/CallService.ts';
import type { AuditRepo } from '../db/AuditRepo.ts';
import type { SessionRepo } from '../db/SessionRepo.ts';
import type { UserRepo } from '../db/UserRepo.ts';
import type { DistrictTokenVerifier } from './DistrictTokens.ts';

/** Station accounts made for district officers are named `district.<their district username>`. */
const DISTRICT_USER_PREFIX = 'district.';
/** How long the media ticket (a console session at this station) lasts. */
const TICKET_TTL_MS = 2 * 60 * 60_000;

const checkers = {
  answer: Compile(DistrictAnswerRequest as TSchema),
  lookin: Compile(DistrictLookinRequest as TSchema),
  hangup: Compile(DistrictHangupRequest as TSchema),
};

export interface StationCommandsOptions {
  calls: CallService;
  users: UserRepo;
  sessions: SessionRepo;
  audit: AuditRepo;
  verifier: DistrictTokenVerifier;
  /** This relay's URL as district consoles reach it. */
  publicUrl: () => string;
  logger: Logger;
}

/**
 * District officers' commands at this station. Every one is checked against
 * a token the district signed for this station, acts through the station's
 * own CallService (so a district answer races local officers in the one
 * SQLite transaction), and is written to the station's audit log, refused
 * or not, as `district:<username>`.
 */
export class StationCommands {
  readonly #opts: StationCommandsOptions;
  readonly #log: Logger;
  readonly #districtUserIds = new Set<number>();

  constructor(opts: StationCommandsOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'district-commands' });
    for (const u of opts.users.list()) if (u.username.startsWith(DISTRICT_USER_PREFIX)) this.#districtUserIds.add(u.id);
  }

  isDistrictUser(userId: number): boolean {
    return this.#districtUserIds.has(userId);
  }

  async handle(command: string, body: unknown): Promise<DistrictCommandReply> {
    if (command !== 'answer' && command !== 'lookin' && command !== 'hangup') throw new AppError(ErrorCode.UnknownType, `unknown district command ${command}`);
    if (!checkers[command].Check(body)) throw new AppError(ErrorCode.BadMessage, `bad ${command} command`);
    const right: DistrictRight = command === 'lookin' ? 'camera.lookin' : 'calls.answer';
    const { token } = body as { token: string };
    const target = (body as { callId?: string; terminalId?: string }).callId ?? (body as { terminalId: string }).terminalId;
    let claims: DistrictTokenClaims | null = null;
    try {
      claims = this.#opts.verifier.verify(token, right);
      const officer = await this.#officer(claims);
      const call = this.#act(command, body as Record<string, string>, officer);
      this.#audit(claims, `district.${command}`, target, 'ok', { terminalId: call?.terminal.id ?? null });
      if (command === 'hangup' || !call) return { ok: true, media: { consoleUrl: '', callId: target, expiresAt: 0 } };
      return { ok: true, media: this.#ticket(officer.id, call.id) };
    } catch (error) {
      const code = error instanceof AppError ? error.code : ErrorCode.Internal;
      this.#audit(claims, `district.${command}`, target, 'refused', { code });
      this.#log.warn({ command, target, code, officer: claims?.sub ?? null }, 'district command refused');
      throw error;
    }
  }

  #act(command: 'answer' | 'lookin' | 'hangup', body: Record<string, string>, officer: Officer): CallView | null {
    const { calls } = this.#opts;
    if (command === 'answer') return calls.answer(body['callId']!, officer);
    if (command === 'lookin') return calls.startLookin(body['terminalId']!, officer);
    calls.assertOfficerMayEnd(body['callId']!, officer);
    calls.end(body['callId']!, 'officer_hangup', 'officer');
    return null;
  }

  /** The district officer's account at this station (no password anyone knows: it signs in only by ticket). */
  async #officer(claims: DistrictTokenClaims): Promise<Officer> {
    const { users } = this.#opts;
    const username = `${DISTRICT_USER_PREFIX}${claims.sub}`;
    const displayName = `${claims.name}（分局）`;
    let user = users.getByUsername(username);
    if (!user) {
      try {
        user = await users.create({ username, displayName, role: 'officer', password: randomBytes(24).toString('base64url') });
      } catch {
        user = users.getByUsername(username); // a concurrent command made it
      }
      if (!user) throw new AppError(ErrorCode.Internal, 'could not make the district officer account');
    }
    if (user.disabled) throw new AppError(ErrorCode.AccountDisabled, 'this district officer is disabled at this station');
    if (user.displayName !== displayName) users.setDisplayName(user.id, displayName);
    this.#districtUserIds.add(user.id);
    return { id: user.id, displayName };
  }

  #ticket(userId: number, callId: string): { consoleUrl: string; callId: string; expiresAt: number } {
    const session = this.#opts.sessions.create(userId, TICKET_TTL_MS);
    const base = this.#opts.publicUrl().replace(/^http/, 'ws').replace(/\/$/, '');
    return { consoleUrl: `${base}/ws/console?ticket=${encodeURIComponent(session)}`, callId, expiresAt: Date.now() + TICKET_TTL_MS };
  }

  #audit(claims: DistrictTokenClaims | null, action: string, target: string, outcome: 'ok' | 'refused', detail: Record<string, unknown>): void {
    this.#opts.audit.write({
      actor: claims ? `district:${claims.sub}` : 'district:unverified',
      action,
      target,
      outcome,
      detail: { ...detail, ...(claims ? { issuer: claims.iss, tokenId: claims.jti } : {}) },
      remote: 'nats',
    });
  }
}
