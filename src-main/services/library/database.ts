import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import type { Database } from 'better-sqlite3'
import { migrate } from './migrations'

/** File name of the library database inside the data folder. */
export const LIBRARY_DATABASE_FILE = 'library.sqlite'

/** Options of {@link openLibraryDatabase}. */
export interface OpenDatabaseOptions {
  /** Migrate up to this version only (tests build old databases with it); latest when absent. */
  schemaVersion?: number
  /** How long a write waits for another connection's lock before failing (ms). */
  busyTimeoutMs?: number
}

/**
 * Open (creating if needed) the library database in the data folder and migrate it.
 *
 * - WAL: readers (the UI listing datasets) never wait for an import's writes, and a crash mid-transaction is
 *   rolled back on the next open.
 * - `synchronous = NORMAL`: with WAL this keeps the database consistent after a crash or power loss; only the
 *   last transactions may be lost, and an import re-does those files on resume.
 * - `foreign_keys = ON`: SQLite's default is off, and the cascade from datasets to images relies on it.
 * - `busy_timeout`: the CLI and the app may share one library; a short lock wait beats an immediate SQLITE_BUSY.
 * @param dataFolder the app's data folder (tests use a temporary one).
 */
export function openLibraryDatabase(dataFolder: string, options: OpenDatabaseOptions = {}): Database {
  mkdirSync(dataFolder, { recursive: true })
  const db = new BetterSqlite3(join(dataFolder, LIBRARY_DATABASE_FILE))
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.pragma(`busy_timeout = ${Math.max(0, Math.round(options.busyTimeoutMs ?? 5000))}`)
    migrate(db, { target: options.schemaVersion })
    return db
  } catch (error) {
    db.close()
    throw error
  }
}
