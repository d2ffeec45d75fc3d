import { createHmac, randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'

/** What a pseudonym stands for; part of the hashed text so a patient and a study never share one. */
export type PseudonymKind = 'patient' | 'study'

/** Replaces identifiers by keyed hashes. */
export interface Pseudonymiser {
  /** A stable pseudonym: the same value and kind always give the same result with this library's key. */
  pseudonym(kind: PseudonymKind, value: string): string
}

/** Folder of the data folder holding the pseudonym key, apart from the library database. */
export const PSEUDONYM_KEY_FOLDER = 'keys'
/** The key's own small database inside {@link PSEUDONYM_KEY_FOLDER}. */
export const PSEUDONYM_KEY_FILE = 'pseudonym-key.sqlite'
const KEY_NAME = 'pseudonym-key'
const PREFIX: Record<PseudonymKind, string> = { patient: 'P', study: 'S' }

/**
 * Where a data folder keeps its pseudonym key.
 * @param dataFolder the app's data folder.
 */
export function pseudonymKeyPath(dataFolder: string): string {
  return join(dataFolder, PSEUDONYM_KEY_FOLDER, PSEUDONYM_KEY_FILE)
}

/**
 * Records `candidate` as the data folder's key unless one is recorded already, and returns the recorded key.
 * INSERT OR IGNORE then SELECT: two processes creating a key at once agree on whichever was written first. The
 * key lives in its own database in its own folder (owner-only permissions), not beside the pseudonyms and PHI of
 * the library: copying or sharing `library.sqlite` does not carry the key that links pseudonyms to identities.
 * @param dataFolder the app's data folder.
 * @param candidate a key in hex, used only when none exists.
 */
export function recordPseudonymKey(dataFolder: string, candidate: string): string {
  const folder = join(dataFolder, PSEUDONYM_KEY_FOLDER)
  mkdirSync(folder, { recursive: true, mode: 0o700 })
  const db = new BetterSqlite3(pseudonymKeyPath(dataFolder))
  try {
    // FULL: the key must be on disk before a migration deletes the library's copy of it.
    db.pragma('synchronous = FULL')
    db.exec('CREATE TABLE IF NOT EXISTS keys (name TEXT PRIMARY KEY, value TEXT NOT NULL, created_at TEXT NOT NULL)')
    db.prepare('INSERT OR IGNORE INTO keys (name, value, created_at) VALUES (?, ?, ?)').run(KEY_NAME, candidate, new Date().toISOString())
    return (db.prepare('SELECT value FROM keys WHERE name = ?').get(KEY_NAME) as { value: string }).value
  } finally {
    db.close()
    chmodSync(pseudonymKeyPath(dataFolder), 0o600)
  }
}

/**
 * The library's pseudonymiser. Its key is 32 random bytes created once per data folder: stable here (a patient
 * imported twice, from a CSV column or a DICOM header, gets one pseudonym, so splits still group their images
 * and re-imports still match) and useless elsewhere (a plain hash of a Patient ID could be reversed by hashing
 * candidate ids; an HMAC cannot without the key). 64 bits of the HMAC are kept: collisions are negligible at
 * any realistic patient count.
 * @param dataFolder the app's data folder.
 */
export function loadPseudonymiser(dataFolder: string): Pseudonymiser {
  const key = Buffer.from(recordPseudonymKey(dataFolder, randomBytes(32).toString('hex')), 'hex')
  return {
    pseudonym(kind, identifier) {
      const digest = createHmac('sha256', key).update(`${kind}\u0000${identifier}`).digest('hex')
      return `${PREFIX[kind]}-${digest.slice(0, 16)}`
    },
  }
}
