export interface Migration {
  /** 1, 2, 3... with no gaps; never renumber or edit a migration once it has shipped. */
  readonly version: number;
  readonly name: string;
  /** SQL run inside one transaction together with its schema_migrations row. */
  readonly up: string;
  /**
   * The migration rebuilds a table (to change a CHECK, say): it runs with
   * foreign keys off, so dropping the old table neither cascades nor fails,
   * and foreign_key_check must come back empty before it commits.
   */
  readonly rebuildsTables?: boolean;
}
