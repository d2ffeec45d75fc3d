import { createHmac, randomBytes } from 'node:crypto'
import type { Database } from 'better-sqlite3'

/** What a pseudonym stands for; part of the hashed text so a patient and a study never share one. */
export type PseudonymKind = 'patient' | 'study'

/** Replaces identifiers by keyed hashes. */
export interface Pseudonymiser {
  /** A stable pseudonym: the same value and kind always give the same result on this workstation. */
  pseudonym(kind: PseudonymKind, value: string): string
}

const KEY_SETTING = 'pseudonym-key'
const PREFIX: Record<PseudonymKind, string> = { patient: 'P', study: 'S' }

/**
 * The workstation's pseudonymiser. Its key is 32 random bytes created once and kept in the library database:
 * stable here (a patient imported twice gets one pseudonym, so splits still group their images) and useless
 * elsewhere (a plain hash of a Patient ID could be reversed by hashing candidate ids; an HMAC cannot without
 * the key). 64 bits of the HMAC are kept: collisions are negligible at any realistic patient count.
 * @param db the library database.
 */
export function loadPseudonymiser(db: Database): Pseudonymiser {
  // INSERT OR IGNORE then SELECT: two processes opening a new library agree on whichever key was written first.
  db.prepare('INSERT OR IGNORE INTO library_settings (key, value) VALUES (?, ?)').run(KEY_SETTING, randomBytes(32).toString('hex'))
  const { value } = db.prepare('SELECT value FROM library_settings WHERE key = ?').get(KEY_SETTING) as { value: string }
  const key = Buffer.from(value, 'hex')
  return {
    pseudonym(kind, identifier) {
      const digest = createHmac('sha256', key).update(`${kind}\u0000${identifier}`).digest('hex')
      return `${PREFIX[kind]}-${digest.slice(0, 16)}`
    },
  }
}
