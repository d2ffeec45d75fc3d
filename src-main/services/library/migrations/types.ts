import type { Database } from 'better-sqlite3'

/**
 * One schema change. Migrations are numbered from 1 without gaps and never edited once released: a database
 * records which ones it has, and the next release only adds new numbers.
 */
export interface Migration {
  version: number
  /** Short description, stored with the version. */
  name: string
  /** Applies the change; runs inside the migration's transaction, so it must not change pragmas. */
  up(db: Database): void
}
