/**
 * Storage-layer failures with no wire counterpart. Conditions a client can cause and
 * that shared/ already names (unknown_terminal, call_not_found) are thrown as the
 * shared AppError instead, so gateways can pass them straight on.
 * Raw SqliteErrors still escape for genuine bugs (bad SQL, disk full...).
 */
export type DbErrorCode =
  | 'db_too_new'
  | 'migrations_invalid'
  | 'migration_failed'
  | 'request_id_conflict'
  | 'username_taken'
  | 'invalid_input';

export class DbError extends Error {
  readonly code: DbErrorCode;

  constructor(code: DbErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DbError';
    this.code = code;
  }
}

export function isDbError(err: unknown, code?: DbErrorCode): err is DbError {
  return err instanceof DbError && (code === undefined || err.code === code);
}

/** better-sqlite3 throws SqliteError with an extended result code such as SQLITE_CONSTRAINT_FOREIGNKEY. */
export function sqliteCode(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}
