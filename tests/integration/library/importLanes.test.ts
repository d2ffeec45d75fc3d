/**
 * An import large enough for lanes, run as the app runs it (the import worker with helper workers reading the
 * files), ends in exactly the state one thread reaches: the same image rows (hashes, patients, labels, tags), the
 * same failures and duplicates, the same thumbnails, whether it runs through or is cancelled and resumed.
 */
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportProgress } from '@shared/library/jobs'
import type { LibraryService } from '@shared/library/types'
import { writeSyntheticDataset, type SyntheticDataset } from '../../../src-main/cli/bench/syntheticDataset'
import { importLaneCount, MIN_FILES_PER_LANE } from '../../../src-main/services/datasets/import/importLanes'
import { createImagingService } from '../../../src-main/services/imaging'
import { createLibraryService } from '../../../src-main/services/library'
import { pseudonymKeyPath } from '../../../src-main/services/library/pseudonyms'
import { sourceWorkerEntry } from '../../../src-main/services/workers/host'
import { createJobLauncher } from '../../../src-main/services/workers/launcher'
import { skipWithReason } from '../../helpers/skip'
import { dumpLibrary } from '../../unit/library/support'

const root = mkdtempSync(join(tmpdir(), 'cxr-import-lanes-'))
const imaging = createImagingService()
let dataset: SyntheticDataset
const lanes = importLaneCount()

beforeAll(async () => {
  // Enough image files for every lane (and for a cancel to land while they read), then a duplicate, a file cut short
  // and a file that is gone.
  dataset = await writeSyntheticDataset(join(root, 'source'), Math.max(300, lanes * MIN_FILES_PER_LANE + 10), 32)
  const [first, second] = readdirSync(dataset.imageFolder).filter((name) => name.endsWith('.dcm')).sort()
  copyFileSync(join(dataset.imageFolder, first), join(dataset.imageFolder, 'copy-of-first.dcm'))
  const whole = readFileSync(join(dataset.imageFolder, second))
  writeFileSync(join(dataset.imageFolder, 'cut-short.dcm'), whole.subarray(0, whole.length - 700))
  appendFileSync(dataset.csvPath, 'copy-of-first.dcm,negative,P900001\ncut-short.dcm,positive,P900002\ngone.dcm,negative,P900003\n')
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

function openLibrary(folder: string, inWorkers: boolean): LibraryService {
  // Each data folder makes its own pseudonym key; the serial import's is given to the others so pseudonyms compare.
  if (folder !== 'serial') {
    const key = pseudonymKeyPath(join(root, folder))
    mkdirSync(dirname(key), { recursive: true })
    copyFileSync(pseudonymKeyPath(join(root, 'serial')), key)
  }
  return createLibraryService({
    dataFolder: join(root, folder),
    decode: (path, bytes) => imaging.decodeBuffer(bytes, path),
    importOptions: { batchSize: 8, concurrency: 2 },
    workerJobs: inWorkers ? createJobLauncher({ kind: 'worker', entry: sourceWorkerEntry(), backend: () => ({ preference: 'wasm', source: 'setting' }) }) : undefined,
  })
}

const spec = () => ({
  kind: 'csv' as const,
  dataset: { id: 'synthetic' },
  csvPath: dataset.csvPath,
  imageFolder: dataset.imageFolder,
  fileColumn: 'file',
  label: { kind: 'column' as const, column: 'label' },
  patient: { kind: 'column' as const, column: 'patient' },
})

/** The thumbnails' names and bytes. */
function thumbnails(folder: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else out[path.slice(dir.length)] = readFileSync(path).toString('base64')
    }
  }
  walk(join(root, folder, 'cache', 'thumbnails'))
  return out
}

async function importAll(folder: string, inWorkers: boolean, cancelAfter?: number) {
  const library = openLibrary(folder, inWorkers)
  const seen: ImportProgress[] = []
  const stop = library.onDidProgress((progress) => seen.push(progress))
  try {
    let { jobId } = await library.startImport({ spec: spec() })
    if (cancelAfter !== undefined) {
      await new Promise<void>((resolve) => {
        const off = library.onDidProgress((progress) => {
          if (progress.jobId === jobId && progress.done >= cancelAfter) {
            off()
            void library.cancelImport({ jobId }).then(resolve)
          }
        })
      })
      const stopped = await library.waitForImport({ jobId })
      expect(stopped.status).toBe('cancelled')
      ;({ jobId } = await library.resumeImport({ jobId }))
    }
    const report = await library.waitForImport({ jobId })
    return { report, seen }
  } finally {
    stop()
    await library.close()
  }
}

describe('import lanes', () => {
  let serial: Awaited<ReturnType<typeof importAll>>
  beforeAll(async () => {
    serial = await importAll('serial', false)
  }, 120_000)

  it('one thread imports every readable file and names the broken ones', () => {
    expect(serial.report.status).toBe('completed')
    expect(serial.report.images.imported).toBe(dataset.images + 1)
    expect(serial.report.issues.map((issue) => issue.file?.split('/').pop()).sort()).toEqual(expect.arrayContaining(['cut-short.dcm', 'gone.dcm']))
    expect(serial.seen.every((progress) => progress.workers === undefined)).toBe(true)
  })

  it('helper workers reading side by side end in the same library and thumbnails', async (context) => {
    if (lanes < 2) return skipWithReason(context, 'one core here: an import reads its files on its own thread, so there are no lanes to compare')
    const side = await importAll('lanes', true)
    expect(side.seen.some((progress) => progress.workers === lanes)).toBe(true)
    expect(side.report.status).toBe('completed')
    expect(side.report.images).toEqual(serial.report.images)
    expect(side.report.issues).toEqual(serial.report.issues)
    expect(dumpLibrary(join(root, 'lanes'))).toEqual(dumpLibrary(join(root, 'serial')))
    expect(thumbnails('lanes')).toEqual(thumbnails('serial'))
  }, 180_000)

  it('cancelled while the lanes read, then resumed: the same library as one uninterrupted thread', async (context) => {
    if (lanes < 2) return skipWithReason(context, 'one core here: an import reads its files on its own thread, so there are no lanes to compare')
    const resumed = await importAll('lanes-resumed', true, 8)
    expect(resumed.report.status).toBe('completed')
    expect(dumpLibrary(join(root, 'lanes-resumed'))).toEqual(dumpLibrary(join(root, 'serial')))
    expect(thumbnails('lanes-resumed')).toEqual(thumbnails('serial'))
  }, 180_000)
})
