import { createHmac } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import type { ImportSpecInput } from '@shared/library/importSpecs'
import type { LibraryService } from '@shared/library/types'
import { openLibraryDatabase } from '../../../src-main/services/library/database'
import { loadPseudonymiser, pseudonymKeyPath, recordPseudonymKey } from '../../../src-main/services/library/pseudonyms'
import { openLibrary, temporaryFolder, writePng, writeText } from './support'

/**
 * Identifying data in the library: a table's patient ids become pseudonyms like DICOM Patient IDs, its other
 * columns stay behind unless ticked, the pseudonym key lives apart from the data, and PHI shows only when the
 * user's setting says so. Older libraries migrate without losing a key or a column.
 */

const MRNS = ['MRN-00412345', 'MRN-00412345', 'MRN-00977001', 'MRN-00555123']
const folders: Array<{ path: string; cleanup: () => void }> = []
const libraries: LibraryService[] = []
const folder = (prefix?: string) => {
  const created = temporaryFolder(prefix)
  folders.push(created)
  return created.path
}
afterEach(async () => {
  await Promise.all(libraries.splice(0).map((library) => library.close()))
  folders.splice(0).forEach((created) => created.cleanup())
})

function open(dataFolder: string, showPhi: () => boolean = () => false): LibraryService {
  const library = openLibrary(dataFolder, { showPhi })
  libraries.push(library)
  return library
}

/** A table like a hospital export: file, label, the MRN, and columns a study does not need. */
async function writeTable(source: string, files = ['a.png', 'b.png', 'c.png', 'd.png'], mrns = MRNS, seed = 11): Promise<void> {
  await Promise.all(files.map((file, index) => writePng(join(source, file), index + seed)))
  const rows = files.map((file, index) => `${file},${index % 2 ? 'Normal' : 'COVID-19'},${mrns[index]},PA,Jane Doe ${index},1950-01-0${index + 1},seen in A&E`)
  writeText(join(source, 'labels.csv'), ['file,finding,mrn,view,name,birth date,notes', ...rows].join('\n') + '\n')
}

function csvSpec(source: string, overrides: Partial<Extract<ImportSpecInput, { kind: 'csv' }>> = {}): ImportSpecInput {
  return {
    kind: 'csv',
    dataset: { id: 'ward' },
    csvPath: join(source, 'labels.csv'),
    fileColumn: 'file',
    label: { kind: 'column', column: 'finding' },
    patient: { kind: 'column', column: 'mrn' },
    viewColumn: 'view',
    thumbnails: false,
    ...overrides,
  }
}

async function importInto(library: LibraryService, spec: ImportSpecInput) {
  const { jobId } = await library.startImport({ spec })
  return library.waitForImport({ jobId })
}

/** Every byte of the library database (and its write-ahead log), to prove a value is nowhere in it. */
function libraryBytes(dataFolder: string): string {
  return readdirSync(dataFolder)
    .filter((name) => name.startsWith('library.sqlite'))
    .map((name) => readFileSync(join(dataFolder, name)).toString('latin1'))
    .join('')
}

/** The pseudonym of a patient id under a key, computed here from the definition (HMAC-SHA256, 64 bits). */
function expectedPseudonym(keyHex: string, patientId: string): string {
  return `P-${createHmac('sha256', Buffer.from(keyHex, 'hex')).update(`patient\u0000${patientId}`).digest('hex').slice(0, 16)}`
}

function storedKey(dataFolder: string): string {
  const db = new BetterSqlite3(pseudonymKeyPath(dataFolder), { readonly: true })
  try {
    return (db.prepare(`SELECT value FROM keys WHERE name = 'pseudonym-key'`).get() as { value: string }).value
  } finally {
    db.close()
  }
}

describe('patient ids from a table', () => {
  it('are stored as keyed pseudonyms, the same MRN giving the same pseudonym, and never reach the library file', async () => {
    const source = folder('cxr-ward-')
    const data = folder()
    await writeTable(source)
    const library = open(data)
    const preview = await library.previewImport({ spec: csvSpec(source), sampleSize: 4 })
    expect(preview.sample.map((row) => row.patientId)).toEqual(MRNS.map((mrn) => expect.not.stringContaining(mrn)))
    const report = await importInto(library, csvSpec(source))
    expect(report.spec).toMatchObject({ pseudonymise: true, keepColumns: [] })
    const key = storedKey(data)
    const { images } = await library.listImages({ datasetId: 'ward' })
    expect(images.map((image) => image.patientId)).toEqual(MRNS.map((mrn) => expectedPseudonym(key, mrn)))
    expect((await library.getDataset({ datasetId: 'ward' })).patientCount).toBe(3)
    // The DICOM path uses the same pseudonymiser: one MRN, one pseudonym, whichever source it came from.
    expect(loadPseudonymiser(data).pseudonym('patient', MRNS[0])).toBe(images[0].patientId)
    await library.close()
    libraries.splice(0)
    const bytes = libraryBytes(data)
    for (const secret of [...MRNS, 'Jane Doe', '1950-01-0', 'seen in A&E']) expect(bytes).not.toContain(secret)
  })

  it('deduplicates a re-import of the same folder: same pseudonyms, nothing changed, nothing to report', async () => {
    const source = folder('cxr-ward-')
    const data = folder()
    await writeTable(source)
    const library = open(data)
    await importInto(library, csvSpec(source))
    const first = await library.listImages({ datasetId: 'ward' })
    const again = await importInto(library, csvSpec(source))
    expect(again.images).toMatchObject({ planned: 4, imported: 0, unchanged: 4 })
    expect(again.issues).toEqual([])
    expect(await library.listImages({ datasetId: 'ward' })).toEqual(first)
  })

  it('keeps only the columns the user ticks, and refuses to keep the patient column as it is', async () => {
    const source = folder('cxr-ward-')
    const data = folder()
    await writeTable(source)
    const library = open(data)
    await importInto(library, csvSpec(source, { keepColumns: ['notes'] }))
    const { images } = await library.listImages({ datasetId: 'ward' })
    expect(images.map((image) => image.attributes)).toEqual(images.map(() => ({ notes: 'seen in A&E' })))
    await expect(library.startImport({ spec: csvSpec(source, { dataset: { id: 'other' }, keepColumns: ['mrn'] }) })).rejects.toMatchObject({
      code: 'import-blocked',
      message: expect.stringContaining('column "mrn" holds the patient ids, which are stored as pseudonyms; it cannot also be kept as it is'),
    })
  })

  it('follows the dataset: ids kept as they are stay so, and a spec asking otherwise is refused', async () => {
    const source = folder('cxr-ward-')
    const data = folder()
    await writeTable(source)
    const library = open(data)
    await importInto(library, csvSpec(source, { pseudonymise: false }))
    await writeTable(source, ['e.png'], ['MRN-00412345'], 50)
    const followed = await importInto(library, csvSpec(source))
    expect(followed.spec).toMatchObject({ pseudonymise: false })
    expect(followed.issues).toEqual([expect.objectContaining({ code: 'patient-ids-as-recorded', severity: 'warning' })])
    // MRN-00412345 is one patient: a.png, b.png and e.png.
    expect((await library.getDataset({ datasetId: 'ward' })).patientCount).toBe(3)
    await expect(library.startImport({ spec: csvSpec(source, { pseudonymise: true }) })).rejects.toMatchObject({
      code: 'import-blocked',
      message: expect.stringContaining('pseudonymising this import would give its patients a second id'),
    })
  })
})

describe('the pseudonym key', () => {
  it('lives in its own file under keys/, readable by the owner only, not in the library database', async () => {
    const source = folder('cxr-ward-')
    const data = folder()
    await writeTable(source)
    await importInto(open(data), csvSpec(source))
    expect(storedKey(data)).toMatch(/^[0-9a-f]{64}$/)
    expect(statSync(pseudonymKeyPath(data)).mode & 0o777).toBe(0o600)
    expect(statSync(join(data, 'keys')).mode & 0o777).toBe(0o700)
    const db = openLibraryDatabase(data)
    try {
      expect(db.prepare(`SELECT COUNT(*) FROM library_settings WHERE key = 'pseudonym-key'`).pluck().get()).toBe(0)
    } finally {
      db.close()
    }
  })

  it('moves out of an older library without changing, so existing pseudonyms and legacy ids still match', async () => {
    const data = folder()
    const key = 'ab'.repeat(32)
    const dicomPseudonym = expectedPseudonym(key, 'DICOM-7')
    const old = openLibraryDatabase(data, { schemaVersion: 4 })
    try {
      // What the previous version wrote: the key beside the data, a DICOM pseudonym made with it, and a CSV
      // import that kept its MRNs and every column (no `pseudonymise`, no `keepColumns` in its spec).
      old.prepare(`INSERT INTO library_settings (key, value) VALUES ('pseudonym-key', ?)`).run(key)
      old.prepare(`INSERT INTO datasets VALUES ('old', 'Old ward', NULL, 'csv', '/data/old', 'then', 'then')`).run()
      const spec = { kind: 'csv', dataset: { id: 'old' }, csvPath: '/data/old/labels.csv', fileColumn: 'file', label: { kind: 'column', column: 'finding' }, patient: { kind: 'column', column: 'mrn' }, duplicates: 'keep', thumbnails: true }
      old.prepare(`INSERT INTO import_jobs (id, dataset_id, kind, spec, status, phase, created_at) VALUES ('job-1', 'old', 'csv', ?, 'completed', 'done', 'then')`).run(JSON.stringify(spec))
      const insert = old.prepare(`
        INSERT INTO images (dataset_id, source_key, path, content_hash, byte_size, format, width, height, label, patient_id, attributes, created_at, import_job_id)
        VALUES ('old', ?, ?, ?, 10, ?, 16, 12, 'COVID-19', ?, ?, 'then', 'job-1')`)
      insert.run('a.png', '/data/old/a.png', 'hash-a', 'png', 'MRN-00412345', JSON.stringify({ finding: 'COVID-19', mrn: 'MRN-00412345', name: 'Jane Doe' }))
      insert.run('x.dcm', '/data/old/x.dcm', 'hash-x', 'dicom', dicomPseudonym, JSON.stringify({ modality: 'CR', name: 'John Roe' }))
    } finally {
      old.close()
    }
    let showPhi = false
    const library = open(data, () => showPhi)
    expect(storedKey(data)).toBe(key)
    expect(loadPseudonymiser(data).pseudonym('patient', 'DICOM-7')).toBe(dicomPseudonym)
    // The old columns moved to PHI: hidden from listings until the user turns PHI on; DICOM tags stay.
    const hidden = await library.listImages({ datasetId: 'old' })
    expect(hidden.images.map((image) => [image.attributes, image.phi])).toEqual([
      [{}, undefined],
      [{ modality: 'CR' }, undefined],
    ])
    showPhi = true
    const shown = await library.listImages({ datasetId: 'old' })
    expect(shown.images.map((image) => image.phi)).toEqual([
      { tableColumns: { finding: 'COVID-19', mrn: 'MRN-00412345', name: 'Jane Doe' } },
      { tableColumns: { name: 'John Roe' } },
    ])
    // A new table import into the old dataset keeps its convention, so MRN-00412345 stays one patient.
    const source = folder('cxr-ward-')
    await writeTable(source, ['b.png'], ['MRN-00412345'], 50)
    const report = await importInto(library, csvSpec(source, { dataset: { id: 'old' } }))
    expect(report.issues.map((issue) => issue.code)).toEqual(['patient-ids-as-recorded'])
    expect((await library.listImages({ datasetId: 'old' })).images.find((image) => image.imageId === 'b.png')!.patientId).toBe('MRN-00412345')
  })

  it('treats a table dataset from before import jobs as keeping its ids as they were', async () => {
    const data = folder()
    const old = openLibraryDatabase(data, { schemaVersion: 1 })
    old.prepare(`INSERT INTO datasets VALUES ('oldest', 'Oldest', NULL, 'csv', '/data/oldest', 'then', 'then')`).run()
    old.prepare(`INSERT INTO images (dataset_id, source_key, path, content_hash, byte_size, format, width, height, label, patient_id, created_at)
      VALUES ('oldest', 'a.png', '/data/oldest/a.png', 'hash-a', 10, 'png', 16, 12, 'COVID-19', 'MRN-00412345', 'then')`).run()
    old.close()
    const source = folder('cxr-ward-')
    await writeTable(source, ['b.png'], ['MRN-00412345'], 50)
    const library = open(data)
    const report = await importInto(library, csvSpec(source, { dataset: { id: 'oldest' } }))
    expect(report.issues.map((issue) => issue.code)).toEqual(['patient-ids-as-recorded'])
    expect((await library.getDataset({ datasetId: 'oldest' })).patientCount).toBe(1)
  })

  it('stops the migration, keeping both keys, when the key file holds another key', () => {
    const data = folder()
    const old = openLibraryDatabase(data, { schemaVersion: 4 })
    old.prepare(`INSERT INTO library_settings (key, value) VALUES ('pseudonym-key', ?)`).run('cd'.repeat(32))
    old.close()
    recordPseudonymKey(data, 'ef'.repeat(32))
    expect(() => openLibraryDatabase(data)).toThrow(/carries a pseudonym key different from .*keys\/pseudonym-key.sqlite.*Move one of the two aside/)
    expect(storedKey(data)).toBe('ef'.repeat(32))
    const db = new BetterSqlite3(join(data, 'library.sqlite'), { readonly: true })
    try {
      expect(db.prepare(`SELECT value FROM library_settings WHERE key = 'pseudonym-key'`).pluck().get()).toBe('cd'.repeat(32))
    } finally {
      db.close()
    }
    expect(existsSync(pseudonymKeyPath(data))).toBe(true)
  })
})
