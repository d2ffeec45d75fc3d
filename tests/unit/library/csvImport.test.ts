import { copyFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isLibraryError } from '@shared/library/errors'
import type { ImportSpecInput } from '@shared/library/importSpecs'
import type { ImportProgress } from '@shared/library/jobs'
import type { LibraryService } from '@shared/library/types'
import { countRows, dumpLibrary, openLibrary, temporaryFolder, writePng, writeText } from './support'

/** Ten images of six patients, 6 COVID+ and 4 COVID−, as covid-chestxray's CSV lays them out. */
const ROWS = [
  ['img0.png', '1', 'PA', 'COVID-19', '1'],
  ['img1.png', '1', 'AP', 'COVID-19', '1'],
  ['img2.png', '2', 'PA', 'COVID-19', '1'],
  ['img3.png', '3', 'PA', 'COVID-19, ARDS', '1'],
  ['img4.png', '3', 'AP Supine', 'COVID-19', '1'],
  ['img5.png', '4', 'PA', 'COVID-19', '1'],
  ['img6.png', '5', 'PA', 'SARS', '0'],
  ['img7.png', '5', 'PA', 'SARS', '0'],
  ['img8.png', '6', 'AP', 'Streptococcus', '0'],
  ['img9.png', '6', 'PA', 'No Finding', '0'],
]

let source: { path: string; cleanup: () => void }
let data: { path: string; cleanup: () => void }
let library: LibraryService

function csv(rows: string[][], header = 'filename,patientid,view,finding,covid'): string {
  return [header, ...rows.map((row) => row.map((value) => (value.includes(',') ? `"${value}"` : value)).join(','))].join('\n') + '\n'
}

function spec(overrides: Partial<Extract<ImportSpecInput, { kind: 'csv' }>> = {}): ImportSpecInput {
  return {
    kind: 'csv',
    dataset: { id: 'covid', name: 'COVID-ChestXRay' },
    csvPath: join(source.path, 'labels.csv'),
    imageFolder: 'images',
    fileColumn: 'filename',
    label: { kind: 'column', column: 'covid', values: { '1': 'COVID+', '0': 'COVID-' } },
    patient: { kind: 'column', column: 'patientid' },
    viewColumn: 'view',
    ...overrides,
  }
}

async function importAndWait(input: ImportSpecInput) {
  const { jobId } = await library.startImport({ spec: input })
  return library.waitForImport({ jobId })
}

async function expectBlocked(input: ImportSpecInput, code: string, ...fragments: string[]) {
  try {
    await library.startImport({ spec: input })
    expect.unreachable('the import should not start')
  } catch (error) {
    expect(isLibraryError(error) && error.code).toBe('import-blocked')
    expect(isLibraryError(error) && error.issues.map((issue) => issue.code)).toContain(code)
    for (const fragment of fragments) expect((error as Error).message).toContain(fragment)
  }
  // Nothing half-written: no dataset, no job, no image.
  expect(countRows(data.path, 'datasets')).toBe(0)
  expect(countRows(data.path, 'import_jobs')).toBe(0)
  expect(countRows(data.path, 'images')).toBe(0)
}

beforeEach(async () => {
  source = temporaryFolder('cxr-source-')
  data = temporaryFolder('cxr-data-')
  await Promise.all(ROWS.map((row, index) => writePng(join(source.path, 'images', row[0]), index + 1)))
  writeText(join(source.path, 'labels.csv'), csv(ROWS))
  library = openLibrary(data.path)
})

afterEach(async () => {
  await library.close()
  source.cleanup()
  data.cleanup()
})

describe('CSV import', () => {
  it('imports every row with its mapped label, patient and view, and reports progress', async () => {
    const events: ImportProgress[] = []
    library.onDidProgress((progress) => events.push(progress))
    const report = await importAndWait(spec())

    expect(report.status).toBe('completed')
    expect(report.images).toEqual({ planned: 10, imported: 10, unchanged: 0, skipped: 0, failed: 0, pending: 0 })
    expect(report.importedByClass).toEqual({ 'COVID+': 6, 'COVID-': 4 })
    const summary = await library.getDataset({ datasetId: 'covid' })
    expect(summary).toMatchObject({
      name: 'COVID-ChestXRay',
      sourceKind: 'csv',
      imageCount: 10,
      patientCount: 6,
      classCounts: { 'COVID+': 6, 'COVID-': 4 },
      viewCounts: { PA: 7, AP: 2, 'AP Supine': 1 },
      pseudonymised: true,
    })
    expect(summary.phi).toBeUndefined()

    const page = await library.listImages({ datasetId: 'covid' })
    expect(page.images.map((image) => image.imageId)).toEqual(ROWS.map((row) => row[0]))
    // The table's patient ids become pseudonyms (keyed hashes): the same patient keeps one.
    expect(page.images[3]).toMatchObject({ label: 'COVID+', patientId: expect.stringMatching(/^P-[0-9a-f]{16}$/), view: 'PA', width: 16, height: 12, format: 'png' })
    expect(page.images[4].patientId).toBe(page.images[3].patientId)
    expect(page.images[5].patientId).not.toBe(page.images[3].patientId)
    // No column beyond file, label, patient and view is kept unless the user ticks it.
    expect(page.images[3].attributes).toEqual({})

    const records = await library.imageRecords({ datasetIds: ['covid'] })
    expect(records).toHaveLength(10)
    expect(new Set(records.map((record) => record.contentHash)).size).toBe(10)
    for (const record of records) expect(existsSync(await library.thumbnail({ datasetId: 'covid', imageId: record.imageId }))).toBe(true)

    expect(events.length).toBeGreaterThanOrEqual(3)
    expect(events.every((event) => event.jobId === report.jobId && event.total === 10)).toBe(true)
    expect(events.map((event) => event.done)).toEqual([...events.map((event) => event.done)].sort((a, b) => a - b))
    expect(events.at(-1)).toMatchObject({ status: 'completed', phase: 'done', done: 10, failed: 0, etaSeconds: 0 })
    expect(events.at(-1)!.ratePerSecond).toBeGreaterThan(0)
  })

  it('changes nothing when the same folder is imported again', async () => {
    await importAndWait(spec())
    const before = dumpLibrary(data.path)
    const again = await importAndWait(spec())
    expect(again.status).toBe('completed')
    expect(again.images).toMatchObject({ planned: 10, imported: 0, unchanged: 10, failed: 0 })
    expect(again.issues).toEqual([])
    expect(dumpLibrary(data.path)).toEqual(before)
  })

  it('refuses a spec naming a missing column, naming the CSV and the column, and writes nothing', async () => {
    await expectBlocked(spec({ fileColumn: 'file' }), 'missing-column', 'labels.csv', 'file column "file" not found among the 5 columns of its header')
  })

  it('refuses an empty CSV and a header without rows', async () => {
    writeText(join(source.path, 'labels.csv'), '')
    await expectBlocked(spec(), 'empty-file', 'labels.csv: the file is empty')
    writeText(join(source.path, 'labels.csv'), 'filename,patientid,view,finding,covid\n')
    await expectBlocked(spec(), 'no-rows', 'no rows')
  })

  it('refuses label values without a class, listing each one, and previews the same problem without throwing', async () => {
    const partial = spec({ label: { kind: 'column', column: 'finding', values: { 'COVID-19': 'COVID+', SARS: 'COVID-' } } })
    await expectBlocked(partial, 'unmapped-label', 'label value "COVID-19, ARDS"')
    const preview = await library.previewImport({ spec: partial })
    expect(preview.blocking.map((issue) => issue.message)).toEqual([
      expect.stringContaining('"COVID-19, ARDS" of column "finding" (1 row(s), first on line 5)'),
      expect.stringContaining('"Streptococcus"'),
      expect.stringContaining('"No Finding"'),
    ])
    expect(countRows(data.path, 'datasets')).toBe(0)
  })

  it('leaves out rows whose label maps to null, saying how many', async () => {
    const report = await importAndWait(spec({ label: { kind: 'column', column: 'covid', values: { '1': 'COVID+', '0': null } } }))
    expect(report.images.imported).toBe(6)
    expect(report.issues).toEqual([expect.objectContaining({ code: 'label-excluded', severity: 'info', message: expect.stringContaining('4 row(s) with label "0"') })])
  })

  it('lists an unreadable file and a missing file with their names, and imports the rest', async () => {
    writeText(join(source.path, 'images', 'broken.png'), 'this is not an image')
    writeText(join(source.path, 'labels.csv'), csv([...ROWS, ['broken.png', '7', 'PA', 'SARS', '0'], ['gone.png', '8', 'PA', 'SARS', '0'], ['../labels.csv', '9', 'PA', 'SARS', '0']]))
    const report = await importAndWait(spec())
    expect(report.status).toBe('completed')
    expect(report.images).toMatchObject({ planned: 11, imported: 10, failed: 1 })
    expect(report.issueCounts).toEqual({ 'file-missing': 1, 'outside-folder': 1, unreadable: 1 })
    expect(report.issues.find((issue) => issue.code === 'outside-folder')!.message).toBe(
      `labels.csv, line 14: "../labels.csv" is outside the image folder ${join(source.path, 'images')}`,
    )
    const unreadable = report.issues.find((issue) => issue.code === 'unreadable')!
    expect(unreadable.file).toBe(join(source.path, 'images', 'broken.png'))
    expect(unreadable.message).toContain('broken.png')
    const missing = report.issues.find((issue) => issue.code === 'file-missing')!
    expect(missing).toMatchObject({ line: 13, message: expect.stringContaining('gone.png') })
    expect((await library.getDataset({ datasetId: 'covid' })).imageCount).toBe(10)
    expect(countRows(data.path, 'images', `source_key = 'broken.png'`)).toBe(0)
  })

  it('keeps or skips a file whose content is already in the dataset under another name', async () => {
    copyFileSync(join(source.path, 'images', 'img0.png'), join(source.path, 'images', 'copy.png'))
    writeText(join(source.path, 'labels.csv'), csv([...ROWS, ['copy.png', '1', 'PA', 'COVID-19', '1']]))
    const kept = await importAndWait(spec())
    expect(kept.images.imported).toBe(11)
    expect(kept.issues).toEqual([expect.objectContaining({ code: 'duplicate-content', severity: 'warning', message: expect.stringContaining('same content as "img0.png"') })])
    expect((await library.getDataset({ datasetId: 'covid' })).duplicateContentCount).toBe(2)

    const skipped = await importAndWait(spec({ dataset: { id: 'covid-unique' }, duplicates: 'skip' }))
    expect(skipped.images).toMatchObject({ imported: 10, skipped: 1 })
    expect((await library.getDataset({ datasetId: 'covid-unique' })).imageCount).toBe(10)
  })

  it('refuses to replace an image whose file changed since it was imported', async () => {
    await importAndWait(spec())
    const before = dumpLibrary(data.path)
    await writePng(join(source.path, 'images', 'img2.png'), 99)
    const report = await importAndWait(spec())
    expect(report.images).toMatchObject({ unchanged: 9, failed: 1 })
    expect(report.issues[0]).toMatchObject({ code: 'content-changed', message: expect.stringContaining('img2.png') })
    expect(dumpLibrary(data.path).images).toEqual(before.images)
  })

  it('warns when the source now disagrees with an imported image, but keeps the library as it is', async () => {
    await importAndWait(spec())
    writeText(join(source.path, 'labels.csv'), csv(ROWS.map((row, index) => (index === 0 ? [row[0], '42', ...row.slice(2)] : row))))
    const report = await importAndWait(spec())
    expect(report.images.unchanged).toBe(10)
    expect(report.issues).toEqual([expect.objectContaining({ code: 'metadata-differs', message: expect.stringMatching(/patient "P-[0-9a-f]{16}" → "P-[0-9a-f]{16}"/) })])
  })

  it('reads a file column without extensions, and ignores repeated rows, warning when they disagree', async () => {
    const rows = ROWS.map((row) => [row[0].replace('.png', ''), ...row.slice(1)])
    writeText(join(source.path, 'labels.csv'), csv([...rows, rows[0], [rows[1][0], '1', 'AP', 'SARS', '0']]))
    const report = await importAndWait(spec({ fileSuffix: '.png' }))
    expect(report.images.imported).toBe(10)
    expect(report.issues).toEqual([
      expect.objectContaining({ code: 'duplicate-row', severity: 'info', line: 12, message: 'labels.csv, line 12: "img0.png" is already listed on line 2; this row is ignored' }),
      expect.objectContaining({ code: 'duplicate-row', severity: 'warning', line: 13, message: expect.stringContaining('with label "COVID+" (here "COVID-")') }),
    ])
  })

  it('treats each image as its own patient when asked, and says so once', async () => {
    const report = await importAndWait(spec({ patient: { kind: 'per-image' } }))
    expect(report.issueCounts).toEqual({ 'per-image-patients': 1 })
    expect((await library.getDataset({ datasetId: 'covid' })).patientCount).toBe(10)
  })

  it('warns before a re-import that names images with other labels: the library keeps the labels it has', async () => {
    expect((await importAndWait(spec())).status).toBe('completed')
    const again = await library.previewImport({ spec: spec({ label: { kind: 'column', column: 'finding' } }), sampleSize: 3 })
    expect(again.datasetExists).toBe(true)
    // Every image is relabelled (COVID+ → COVID-19 and so on); the first ones are named with both labels.
    expect(again.relabelled?.count).toBe(10)
    expect(again.relabelled?.examples[0]).toEqual({ file: 'img0.png', from: 'COVID+', to: 'COVID-19' })
    // The same labels again: nothing to warn about.
    expect((await library.previewImport({ spec: spec(), sampleSize: 3 })).relabelled).toBeUndefined()
  })

  it('rejects an invalid spec with every field at fault', async () => {
    await expect(library.startImport({ spec: { ...spec(), dataset: { id: '../x' }, fileColumn: '' } as ImportSpecInput })).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringMatching(/spec\.dataset\.id: dataset id must be.*spec\.fileColumn/),
    })
  })
})
