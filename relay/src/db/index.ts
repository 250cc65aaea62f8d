export { openDatabase } from './openDatabase.ts';
export type { OpenDatabaseOptions } from './openDatabase.ts';
export { migrate, listAppliedMigrations } from './migrate.ts';
export type { AppliedMigration, MigrateOptions, MigrateResult } from './migrate.ts';
export { MIGRATIONS } from './migrations/index.ts';
export type { Migration } from './migrations/index.ts';
export { DbError, isDbError } from './DbError.ts';
export type { DbErrorCode } from './DbError.ts';
export { TerminalRepo, TERMINAL_KINDS, DEFAULT_DISTRICT } from './TerminalRepo.ts';
export type { TerminalRecord, TerminalInput, TerminalKind, TerminalRepoOptions } from './TerminalRepo.ts';
export { CallRepo, CALL_STATES, CALL_ENDED_BY, actorOf } from './CallRepo.ts';
export type {
  CallRecord,
  CallEventRecord,
  CallState,
  CallEndedBy,
  CallEventType,
  KnownCallEventType,
  AnswerResult,
  CreateOrGetInput,
  AnswerInput,
  EndInput,
  CallRepoOptions,
} from './CallRepo.ts';
export { UserRepo, USER_ROLES } from './UserRepo.ts';
export type { UserRecord, UserRole, CreateUserInput, UserRepoOptions } from './UserRepo.ts';
export { SessionRepo, hashSessionToken } from './SessionRepo.ts';
export type { SessionRecord, ResolvedSession, SessionRepoOptions } from './SessionRepo.ts';
export { hashPassword, verifyPasswordHash, needsRehash, SCRYPT_PARAMS } from './passwordHash.ts';
export { seedDemo, DEMO_TERMINALS, DEMO_USERS } from './demoData.ts';
export type { DemoUser, SeedResult } from './demoData.ts';
