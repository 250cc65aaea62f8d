export interface Migration {
  /** 1, 2, 3... with no gaps; never renumber or edit a migration once it has shipped. */
  readonly version: number;
  readonly name: string;
  /** SQL run inside one transaction together with its schema_migrations row. */
  readonly up: string;
}
