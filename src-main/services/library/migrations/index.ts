import type { Database } from 'better-sqlite3'
import { LibraryError } from '@shared/library/errors'
import { initialSchema } from './001_initial'
import { importJobsSchema } from './002_import_jobs'
import { compositionsSchema } from './003_compositions'
import { lungMasksSchema } from './004_lung_masks'
import { pseudonymKeyApartSchema } from './005_pseudonym_key_apart'
import { tableColumnsPhiSchema } from './006_table_columns_phi'
import type { Migration } from './types'

export type { Migration } from './types'

/** Every migration, in order. Append only: a released migration is never edited. */
export const MIGRATIONS: readonly Migration[] = [initialSchema, importJobsSchema, compositionsSchema, lungMasksSchema, pseudonymKeyApartSchema, tableColumnsPhiSchema]

/** The schema version this build writes. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version

/** The highest migration a database has (0 for a new one). */
export function schemaVersion(db: Database): number {
  ensureMigrationTable(db)
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null }
  return row.version ?? 0
}

/**
 * Bring a database up to `target` (default: the latest). Each migration runs in its own transaction together with
 * its `schema_migrations` row, so a crash leaves the database at a whole version, never between two. After each
 * migration the foreign keys are checked inside the same transaction: a migration that orphans rows fails
 * rather than committing them.
 * @param db an open database.
 * @param options `target` stops at that version (tests create old databases with it).
 * @returns the versions applied.
 * @throws LibraryError `database-too-new` when the database has a version this build does not know.
 */
export function migrate(db: Database, options: { target?: number; migrations?: readonly Migration[] } = {}): number[] {
  const migrations = options.migrations ?? MIGRATIONS
  const latest = migrations.length > 0 ? migrations[migrations.length - 1].version : 0
  const target = options.target ?? latest
  checkNumbering(migrations)
  const current = schemaVersion(db)
  if (current > latest) {
    throw new LibraryError(
      'database-too-new',
      `${db.name}: the library database is at schema version ${current}, newer than this app knows (${latest}); update the app or use another data folder.`,
    )
  }
  const applied: number[] = []
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > target) continue
    db.transaction(() => {
      migration.up(db)
      const orphans = db.prepare('PRAGMA foreign_key_check').all()
      if (orphans.length > 0) {
        throw new LibraryError('database-error', `Migration ${migration.version} (${migration.name}) would leave ${orphans.length} row(s) without their parent.`)
      }
      record.run(migration.version, migration.name, new Date().toISOString())
    }).immediate()
    applied.push(migration.version)
  }
  return applied
}

function ensureMigrationTable(db: Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)')
}

function checkNumbering(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`Migration "${migration.name}" is numbered ${migration.version}, expected ${index + 1}`)
  })
}
