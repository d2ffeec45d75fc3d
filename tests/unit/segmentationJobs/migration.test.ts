import { afterEach, describe, expect, it } from 'vitest'
import { openLibraryDatabase } from '../../../src-main/services/library/database'
import { LATEST_SCHEMA_VERSION, schemaVersion } from '../../../src-main/services/library/migrations'
import { temporaryFolder } from '../library/support'

const folders: Array<{ cleanup: () => void }> = []
afterEach(() => folders.splice(0).forEach((created) => created.cleanup()))

describe('migration 004 (lung masks)', () => {
  it('adds the lung-mask tables to a version 3 library, cascading from its existing images', () => {
    const folder = temporaryFolder()
    folders.push(folder)
    const old = openLibraryDatabase(folder.path, { schemaVersion: 3 })
    old.prepare(`INSERT INTO datasets VALUES ('d', 'D', NULL, 'csv', '/d', 'now', 'now')`).run()
    old.prepare(`INSERT INTO images (dataset_id, source_key, path, content_hash, byte_size, format, width, height, label, patient_id, created_at)
      VALUES ('d', 'a.png', '/d/a.png', 'h', 1, 'png', 4, 4, 'x', 'p', 'now')`).run()
    old.close()

    const db = openLibraryDatabase(folder.path)
    try {
      expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(4)
      expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION)
      db.prepare(`INSERT INTO lung_mask_models VALUES ('lung-1', 'm', '/m', 16, 'now')`).run()
      db.prepare(`INSERT INTO lung_masks VALUES (1, 'lung-1', 'h', '/c/h.png', 4, 4, '{}', 'now')`).run()
      db.prepare(`INSERT INTO mask_reviews VALUES (1, 'lung-1', 'bad', 'note', 'now')`).run()
      expect(() => db.prepare(`INSERT INTO mask_reviews VALUES (1, 'lung-1', 'maybe', NULL, 'now')`).run()).toThrow(/CHECK|UNIQUE/)
      db.prepare(`DELETE FROM datasets WHERE id = 'd'`).run()
      expect(db.prepare('SELECT (SELECT COUNT(*) FROM lung_masks) + (SELECT COUNT(*) FROM mask_reviews)').pluck().get()).toBe(0)
    } finally {
      db.close()
    }
  })
})
