import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportSpecInput } from '@shared/library/importSpecs'
import type { LibraryService } from '@shared/library/types'
import type { ImportTestHooks } from '../../../src-main/services/datasets/import/jobRunner'
import { checkDatabase, countRows, dumpLibrary, openLibrary, temporaryFolder, writePng } from './support'

const IMAGE_COUNT = 22
let source: { path: string; cleanup: () => void }
let reference: Record<string, unknown[]>
const cleanups: Array<() => void> = []

function spec(): ImportSpecInput {
  return { kind: 'folder-per-class', dataset: { id: 'set', name: 'Set' }, rootFolder: source.path, patient: { kind: 'file-name', patterns: ['^(?<patient>p\\d+)_'] } }
}

function dataFolder(): string {
  const folder = temporaryFolder('cxr-data-')
  cleanups.push(folder.cleanup)
  return folder.path
}

/** A library whose hooks can call back into it (to cancel from inside the job). */
function libraryWithHooks(folder: string, hooks: (library: () => LibraryService) => ImportTestHooks): LibraryService {
  let library: LibraryService | undefined = undefined
  library = openLibrary(folder, { testHooks: hooks(() => library!) })
  return library
}

/** Items done per status, read straight from the job table. */
function itemStatuses(folder: string): Record<string, number> {
  const db = new BetterSqlite3(join(folder, 'library.sqlite'), { readonly: true })
  try {
    const rows = db.prepare('SELECT status, COUNT(*) AS n FROM import_items GROUP BY status').all() as Array<{ status: string; n: number }>
    return Object.fromEntries(rows.map((row) => [row.status, row.n]))
  } finally {
    db.close()
  }
}

beforeAll(async () => {
  source = temporaryFolder('cxr-jobs-source-')
  cleanups.push(source.cleanup)
  await Promise.all(
    Array.from({ length: IMAGE_COUNT }, (_, index) => writePng(join(source.path, index % 3 === 0 ? 'covid' : 'normal', `p${index % 7}_${index}.png`), index + 1)),
  )
  // The reference: one uninterrupted import.
  const folder = dataFolder()
  const library = openLibrary(folder)
  const { jobId } = await library.startImport({ spec: spec() })
  const report = await library.waitForImport({ jobId })
  expect(report.images).toMatchObject({ imported: IMAGE_COUNT, pending: 0 })
  await library.close()
  reference = dumpLibrary(folder)
})

afterAll(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

describe('import jobs', () => {
  it('cancelled half-way then resumed, ends in the same state as an uninterrupted import', async () => {
    const folder = dataFolder()
    let cancelled = false
    const library = libraryWithHooks(folder, (self) => ({
      afterBatch: ({ jobId, batchIndex }) => {
        // Once: the resumed run counts its batches from 0 again.
        if (batchIndex === 1 && !cancelled) {
          cancelled = true
          void self().cancelImport({ jobId })
        }
      },
    }))
    const { jobId } = await library.startImport({ spec: spec() })
    const stopped = await library.waitForImport({ jobId })
    expect(stopped).toMatchObject({ status: 'cancelled', resumable: true, images: { imported: 8, pending: IMAGE_COUNT - 8 } })
    expect(countRows(folder, 'images')).toBe(8)
    expect((await library.getDataset({ datasetId: 'set' })).imageCount).toBe(8)

    await library.resumeImport({ jobId })
    const resumed = await library.waitForImport({ jobId })
    expect(resumed).toMatchObject({ status: 'completed', resumable: false, images: { planned: IMAGE_COUNT, imported: IMAGE_COUNT, pending: 0 } })
    await expect(library.resumeImport({ jobId })).rejects.toMatchObject({ code: 'not-resumable' })
    await library.close()
    expect(dumpLibrary(folder)).toEqual(reference)
  })

  it('cancelled while files are in flight, keeps what finished and resumes the rest', async () => {
    const folder = dataFolder()
    const library = openLibrary(folder)
    const { jobId } = await library.startImport({ spec: spec() })
    await library.cancelImport({ jobId })
    const cancelled = await library.waitForImport({ jobId })
    expect(cancelled.status).toBe('cancelled')
    expect(cancelled.images.imported + cancelled.images.pending).toBe(IMAGE_COUNT)
    expect(countRows(folder, 'images')).toBe(cancelled.images.imported)
    await library.resumeImport({ jobId })
    expect((await library.waitForImport({ jobId })).status).toBe('completed')
    await library.close()
    expect(dumpLibrary(folder)).toEqual(reference)
  })

  it('survives a crash inside a batch: earlier batches stay, the broken one leaves no trace, resume completes', async () => {
    const folder = dataFolder()
    const crashing = libraryWithHooks(folder, () => ({
      inBatchTransaction: ({ batchIndex }) => {
        if (batchIndex === 2) throw new Error('simulated crash while writing batch 2')
      },
    }))
    const { jobId } = await crashing.startImport({ spec: spec() })
    const failed = await crashing.waitForImport({ jobId })
    expect(failed).toMatchObject({ status: 'failed', resumable: true, error: 'simulated crash while writing batch 2' })
    expect(failed.images).toMatchObject({ imported: 8, pending: IMAGE_COUNT - 8 })
    await crashing.close()

    // Consistent as left: the rows of two whole batches, their items marked, nothing of the third.
    expect(checkDatabase(folder)).toEqual({ integrity: 'ok', foreignKeyViolations: 0 })
    expect(countRows(folder, 'images')).toBe(8)
    expect(itemStatuses(folder)).toEqual({ imported: 8, pending: IMAGE_COUNT - 8 })

    const restarted = openLibrary(folder)
    expect((await restarted.getImportJob({ jobId })).status).toBe('failed')
    await restarted.resumeImport({ jobId })
    expect((await restarted.waitForImport({ jobId })).images).toMatchObject({ imported: IMAGE_COUNT, pending: 0, failed: 0 })
    await restarted.close()
    expect(dumpLibrary(folder)).toEqual(reference)
  })

  it('marks a job whose process died as interrupted, and resumes it', async () => {
    const folder = dataFolder()
    const library = libraryWithHooks(folder, (self) => ({
      afterBatch: ({ jobId, batchIndex }) => {
        if (batchIndex === 0) void self().cancelImport({ jobId })
      },
    }))
    const { jobId } = await library.startImport({ spec: spec() })
    await library.waitForImport({ jobId })
    await library.close()
    expect(countRows(folder, 'images')).toBe(4)
    // What a killed process leaves behind: the row still says running, owned by a pid that no longer exists.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid
    const db = new BetterSqlite3(join(folder, 'library.sqlite'))
    db.prepare(`UPDATE import_jobs SET status = 'running', owner_pid = ?, heartbeat_at = ?`).run(deadPid, new Date().toISOString())
    db.close()

    const restarted = openLibrary(folder)
    const job = await restarted.getImportJob({ jobId })
    expect(job).toMatchObject({ status: 'interrupted', resumable: true, error: expect.stringContaining('stopped') })
    expect((await restarted.listDatasets())[0].lastImport).toMatchObject({ jobId, status: 'interrupted' })
    await restarted.resumeImport({ jobId })
    expect((await restarted.waitForImport({ jobId })).status).toBe('completed')
    await restarted.close()
    expect(dumpLibrary(folder)).toEqual(reference)
  })

  it('closing the library stops a running import as interrupted, resumable next time', async () => {
    const folder = dataFolder()
    const closed: Array<Promise<void>> = []
    const secondStart: Array<Promise<unknown>> = []
    const library = libraryWithHooks(folder, (self) => ({
      afterBatch: ({ batchIndex }) => {
        if (batchIndex !== 0) return
        secondStart.push(self().startImport({ spec: spec() }).then(() => 'started', (error: unknown) => error))
        closed.push(self().close())
      },
    }))
    const { jobId } = await library.startImport({ spec: spec() })
    await expect.poll(() => closed.length).toBe(1)
    await closed[0]
    expect(await secondStart[0]).toMatchObject({ code: 'busy', message: expect.stringContaining('"set" is being imported') })

    const restarted = openLibrary(folder)
    expect(await restarted.getImportJob({ jobId })).toMatchObject({ status: 'interrupted', resumable: true, error: 'the app closed during the import' })
    await restarted.resumeImport({ jobId })
    await restarted.waitForImport({ jobId })
    expect((await restarted.listImportJobs({ datasetId: 'set' })).map((listed) => listed.status)).toEqual(['completed'])
    await restarted.close()
    expect(dumpLibrary(folder)).toEqual(reference)
  })
})
