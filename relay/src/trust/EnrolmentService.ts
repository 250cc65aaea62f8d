import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { AppError, ErrorCode, TypedEmitter } from '@helppoint/shared';
import type { AuditRepo } from '../db/AuditRepo.ts';
import type { EnrolmentCodeRepo } from '../db/EnrolmentCodeRepo.ts';
import type { TerminalKeyRepo } from '../db/TerminalKeyRepo.ts';
import type { TerminalRecord, TerminalRepo } from '../db/TerminalRepo.ts';
import type { Actor } from './Actor.ts';
import { keyFingerprint, parsePublicKey } from './deviceKeys.ts';
import { hashEnrolmentCode, newEnrolmentCode, normaliseEnrolmentCode } from './enrolmentCode.ts';

export const DEFAULT_CODE_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_CODE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface EnrolmentResult {
  terminal: TerminalRecord;
  keyFingerprint: string;
}

/**
 * Binding a Pi's key to a location: a technician makes a one-time code for a
 * terminal record, the Pi redeems it with its public key. Revocation makes the
 * relay refuse the key at once. Every step, refused or not, is audited.
 */
export class EnrolmentService extends TypedEmitter<{ keyChanged: [string, 'enrolled' | 'revoked'] }> {
  readonly #db: Database;
  readonly #terminals: TerminalRepo;
  readonly #keys: TerminalKeyRepo;
  readonly #codes: EnrolmentCodeRepo;
  readonly #audit: AuditRepo;
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(opts: { db: Database; terminals: TerminalRepo; keys: TerminalKeyRepo; codes: EnrolmentCodeRepo; audit: AuditRepo; logger: Logger; now?: () => number }) {
    super();
    this.#db = opts.db;
    this.#terminals = opts.terminals;
    this.#keys = opts.keys;
    this.#codes = opts.codes;
    this.#audit = opts.audit;
    this.#log = opts.logger.child({ component: 'enrolment' });
    this.#now = opts.now ?? Date.now;
    this.onListenerError = (error, event) => this.#log.error({ err: error, event }, 'enrolment listener failed');
  }

  /** A fresh code for a terminal record; earlier unused codes for it stop working. The code is returned once, never stored. */
  createCode(terminalId: string, by: Actor, ttlMs = DEFAULT_CODE_TTL_MS): { code: string; terminalId: string; expiresAt: number } {
    if (!this.#terminals.get(terminalId)) {
      this.#refuse(by, 'enrolment.code', terminalId, ErrorCode.UnknownTerminal);
      throw new AppError(ErrorCode.UnknownTerminal, `terminal ${terminalId} is not registered; create its record first`);
    }
    if (!(ttlMs > 0 && ttlMs <= MAX_CODE_TTL_MS)) throw new AppError(ErrorCode.BadRequest, 'a code may live between 1 minute and 7 days');
    const code = newEnrolmentCode();
    const now = this.#now();
    const expiresAt = now + ttlMs;
    this.#db.transaction(() => {
      this.#codes.insert({ codeHash: hashEnrolmentCode(normaliseEnrolmentCode(code)!), terminalId, createdBy: by.userId, createdAt: now, expiresAt });
      this.#audit.write({ actor: by.label, action: 'enrolment.code', target: terminalId, detail: { expiresAt }, remote: by.remote });
    }).immediate();
    this.#log.info({ terminalId, by: by.label, expiresAt }, 'enrolment code created');
    return { code, terminalId, expiresAt };
  }

  /** The Pi's side: the code picks the terminal; the key replaces any earlier one. */
  redeem(code: string, publicKey: string, by: Actor): EnrolmentResult {
    const normalised = normaliseEnrolmentCode(code);
    const record = normalised ? this.#codes.byHash(hashEnrolmentCode(normalised)) : null;
    const target = record?.terminalId ?? null;
    const refuse = (errorCode: ErrorCode, message: string): never => {
      this.#refuse(by, 'terminal.enrol', target, errorCode);
      throw new AppError(errorCode, message);
    };
    if (!record || record.cancelledAt !== null) return refuse(ErrorCode.EnrolmentCodeInvalid, 'no such enrolment code (mistyped, or replaced by a newer one)');
    if (record.usedAt !== null) return refuse(ErrorCode.EnrolmentCodeUsed, 'this enrolment code was already used; ask for a new one');
    if (this.#now() >= record.expiresAt) return refuse(ErrorCode.EnrolmentCodeExpired, 'this enrolment code has expired; ask for a new one');
    // The key is checked before the code is spent, so a broken request does not burn it.
    try {
      parsePublicKey(publicKey);
    } catch (error) {
      return refuse(ErrorCode.BadPublicKey, (error as Error).message);
    }
    const holder = this.#keys.byPublicKey(publicKey);
    if (holder && holder.terminalId !== record.terminalId) return refuse(ErrorCode.Conflict, 'this key is already enrolled for another terminal');
    const fingerprint = keyFingerprint(publicKey);
    const now = this.#now();
    const previous = this.#keys.get(record.terminalId);
    const won = this.#db.transaction(() => {
      if (!this.#codes.markUsed(record.id, now)) return false;
      this.#keys.setKey(record.terminalId, publicKey, fingerprint, now);
      this.#audit.write({
        actor: by.label,
        action: 'terminal.enrol',
        target: record.terminalId,
        detail: { keyFingerprint: fingerprint, replacedKey: previous?.keyFingerprint ?? null },
        remote: by.remote,
      });
      return true;
    }).immediate();
    if (!won) return refuse(ErrorCode.EnrolmentCodeUsed, 'this enrolment code was already used; ask for a new one');
    this.#log.info({ terminalId: record.terminalId, keyFingerprint: fingerprint, replacedKey: previous?.keyFingerprint ?? null }, 'terminal enrolled');
    this.emit('keyChanged', record.terminalId, 'enrolled');
    return { terminal: this.#terminals.get(record.terminalId)!, keyFingerprint: fingerprint };
  }

  /** The key is refused from now on and a live connection is dropped; re-enrol with a new code. */
  revoke(terminalId: string, by: Actor, reason: string): void {
    const key = this.#keys.get(terminalId);
    if (!key) {
      this.#refuse(by, 'terminal.revoke', terminalId, ErrorCode.UnknownTerminal);
      throw new AppError(ErrorCode.UnknownTerminal, `terminal ${terminalId} is not registered`);
    }
    if (key.state !== 'enrolled') {
      this.#refuse(by, 'terminal.revoke', terminalId, ErrorCode.Conflict);
      throw new AppError(ErrorCode.Conflict, key.state === 'revoked' ? 'this terminal is already revoked' : 'this terminal has no key to revoke');
    }
    this.#db.transaction(() => {
      this.#keys.revoke(terminalId, this.#now());
      this.#audit.write({ actor: by.label, action: 'terminal.revoke', target: terminalId, detail: { keyFingerprint: key.keyFingerprint, reason }, remote: by.remote });
    }).immediate();
    this.#log.warn({ terminalId, by: by.label, reason }, 'terminal key revoked');
    this.emit('keyChanged', terminalId, 'revoked');
  }

  #refuse(by: Actor, action: string, target: string | null, code: ErrorCode): void {
    this.#audit.write({ actor: by.label, action, target, outcome: 'refused', detail: { code }, remote: by.remote });
    this.#log.warn({ action, target, by: by.label, code, remote: by.remote }, 'enrolment step refused');
  }
}
