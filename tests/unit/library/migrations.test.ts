import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { isLibraryError } from '@shared/library/errors'
import { openLibraryDatabase } from '../../../src-main/services/library/database'
import { LATEST_SCHEMA_VERSION, migrate, MIGRATIONS, schemaVersion } from '../../../src-main/services/library/migrations'
import type { Migration } from '../../../src-main/services/library/migrations'
import { temporaryFolder } from './support'

const folders: Array<{ cleanup: () => void }> = []
const folder = () => {
  const created = temporaryFolder()
  folders.push(created)
  return created.path
}
afterEach(() => folders.splice(0).forEach((created) => created.cleanup()))

describe('library database', () => {
  it('opens in WAL mode with foreign keys and a busy timeout, at the latest schema', () => {
    const db = openLibraryDatabase(folder())
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000)
      expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION)
      const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()
      expect(versions).toEqual(MIGRATIONS.map((migration) => migration.version))
    } finally {
      db.close()
    }
  })

  it('keeps rows written at migration 1 when migrated to the latest version', () => {
    const dataFolder = folder()
    const old = openLibraryDatabase(dataFolder, { schemaVersion: 1 })
    try {
      expect(schemaVersion(old)).toBe(1)
      expect(old.prepare(`SELECT name FROM sqlite_master WHERE name = 'import_jobs'`).get()).toBeUndefined()
      old.prepare(`INSERT INTO datasets VALUES ('covid', 'COVID', NULL, 'csv', '/data/covid', '2020-04-17T00:00:00Z', '2020-04-17T00:00:00Z')`).run()
      const insertImage = old.prepare(`
        INSERT INTO images (dataset_id, source_key, path, content_hash, byte_size, format, width, height, label, patient_id, view, attributes, created_at)
        VALUES ('covid', ?, ?, ?, 100, 'png', 8, 8, ?, ?, 'PA', '{"finding":"COVID-19"}', '2020-04-17T00:00:00Z')`)
      insertImage.run('a.png', '/data/covid/a.png', 'hash-a', 'COVID+', 'p1')
      insertImage.run('b.png', '/data/covid/b.png', 'hash-b', 'COVID-', 'p2')
      old.prepare(`INSERT INTO masks (image_id, structure, path, content_hash, width, height, created_at) VALUES (1, 'lungs', '/m/a.png', 'mask-a', 8, 8, 'now')`).run()
      old.prepare(`INSERT INTO image_phi (image_id, data) VALUES (2, '{"patientName":"Doe^Jane"}')`).run()
    } finally {
      old.close()
    }

    const db = openLibraryDatabase(dataFolder)
    try {
      expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION)
      const images = db.prepare('SELECT source_key, label, patient_id, view, attributes, import_job_id FROM images ORDER BY source_key').all()
      // Table columns of a CSV dataset from before import jobs move, unchanged, to the images' PHI (migration 6).
      expect(images).toEqual([
        { source_key: 'a.png', label: 'COVID+', patient_id: 'p1', view: 'PA', attributes: '{}', import_job_id: null },
        { source_key: 'b.png', label: 'COVID-', patient_id: 'p2', view: 'PA', attributes: '{}', import_job_id: null },
      ])
      expect(db.prepare('SELECT content_hash, import_job_id FROM masks').all()).toEqual([{ content_hash: 'mask-a', import_job_id: null }])
      expect(db.prepare('SELECT data FROM image_phi ORDER BY image_id').pluck().all()).toEqual([
        '{"tableColumns":{"finding":"COVID-19"}}',
        '{"patientName":"Doe^Jane","tableColumns":{"finding":"COVID-19"}}',
      ])
      // The later tables work with the old rows: the cascade from datasets reaches rows created at version 1.
      db.prepare(`INSERT INTO import_jobs (id, dataset_id, kind, spec, status, phase, created_at) VALUES ('j', 'covid', 'csv', '{}', 'completed', 'done', 'now')`).run()
      db.prepare(`DELETE FROM datasets WHERE id = 'covid'`).run()
      expect(db.prepare('SELECT COUNT(*) FROM images').pluck().get()).toBe(0)
      expect(db.prepare('SELECT COUNT(*) FROM masks').pluck().get()).toBe(0)
      expect(db.prepare('SELECT COUNT(*) FROM import_jobs').pluck().get()).toBe(0)
    } finally {
      db.close()
    }
  })

  it('applies each migration whole or not at all', () => {
    const db = new BetterSqlite3(join(folder(), 'library.sqlite'))
    const failing: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'breaks half-way',
      up(database) {
        database.exec('CREATE TABLE half_done (id INTEGER)')
        throw new Error('disk full')
      },
    }
    try {
      expect(() => migrate(db, { migrations: [...MIGRATIONS, failing] })).toThrow('disk full')
      expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION)
      expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'half_done'`).get()).toBeUndefined()
    } finally {
      db.close()
    }
  })

  it('refuses a database written by a newer app, naming the versions', () => {
    const dataFolder = folder()
    openLibraryDatabase(dataFolder).close()
    const raw = new BetterSqlite3(join(dataFolder, 'library.sqlite'))
    raw.prepare(`INSERT INTO schema_migrations VALUES (?, 'from the future', 'now')`).run(LATEST_SCHEMA_VERSION + 5)
    raw.close()
    try {
      openLibraryDatabase(dataFolder).close()
      expect.unreachable()
    } catch (error) {
      expect(isLibraryError(error) && error.code).toBe('database-too-new')
      expect((error as Error).message).toContain(`schema version ${LATEST_SCHEMA_VERSION + 5}`)
    }
  })
})
