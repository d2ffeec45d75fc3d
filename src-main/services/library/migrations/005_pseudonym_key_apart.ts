import { dirname } from 'node:path'
import { LibraryError } from '@shared/library/errors'
import { pseudonymKeyPath, recordPseudonymKey } from '../pseudonyms'
import type { Migration } from './types'

/**
 * Moves the pseudonym key out of the library database into its own file under `keys/` (see
 * `recordPseudonymKey`), so the key no longer sits beside the pseudonyms and the DICOM PHI it links them to.
 * The key is written to its file (synchronously, to disk) before the library's copy is deleted in this
 * migration's transaction: a crash in between leaves the key in both places, and the next start finishes the
 * move. Existing pseudonyms stay valid because the key itself does not change.
 *
 * The only migration that touches a file beside the database: the key store is the database's sibling, named
 * from the database's own path.
 */
export const pseudonymKeyApartSchema: Migration = {
  version: 5,
  name: 'pseudonym key apart from the library',
  up(db) {
    const row = db.prepare(`SELECT value FROM library_settings WHERE key = 'pseudonym-key'`).get() as { value: string } | undefined
    if (!row) return
    const dataFolder = dirname(db.name)
    const recorded = recordPseudonymKey(dataFolder, row.value)
    if (recorded !== row.value) {
      // Two keys: this database came from another data folder. Dropping either would orphan its pseudonyms.
      throw new LibraryError(
        'database-error',
        `${db.name} carries a pseudonym key different from ${pseudonymKeyPath(dataFolder)}: this library was copied from another data folder. Move one of the two aside (keeping both files) and start again.`,
      )
    }
    db.prepare(`DELETE FROM library_settings WHERE key = 'pseudonym-key'`).run()
  },
}
