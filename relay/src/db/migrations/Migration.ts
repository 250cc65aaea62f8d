export interface Migration {
  /** 1, 2, 3... with no gaps; never renumber or edit a migration once it has shipped. */
  readonly version: number;
  readonly name: string;
  /** SQL run inside one transaction together with its schema_migrations row. */
  readonly up: string;
  /**
   * Table rebuilds (a wider CHECK): run with foreign keys off, as SQLite
   * requires, so dropping the old table does not cascade; the keys are
   * checked before commit and switched back on afterwards.
   */
  readonly foreignKeysOff?: boolean;
}
