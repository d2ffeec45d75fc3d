import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import type { ImportSpecInput } from '@shared/library/importSpecs'
import { createImagingService } from '../../imaging'
import { createLibraryService } from '../../library/libraryService'
import type { DecodeImage } from './outcomes'
import { previewCsv, scanFolder } from './wizard'

/** One measured import. */
export interface ImportRateMeasurement {
  folder: string
  /** Which layout the benchmark chose (or was given). */
  kind: ImportSpecInput['kind']
  /** Images processed (imported or failed). */
  images: number
  failed: number
  /** From `startImport` to the job's end: planning, hashing, probing, thumbnails and database writes. */
  seconds: number
  imagesPerSecond: number
}

/** Options of {@link measureImportRate}. */
export interface MeasureImportRateOptions {
  /** The import to time; guessed from the folder's layout when absent. */
  spec?: ImportSpecInput
  /** The DICOM decoder; the imaging service's by default. */
  decode?: DecodeImage
  /** Files processed at once (default: the service's default). */
  concurrency?: number
}

/**
 * Import a folder into a throw-away library and report images per second, with everything a real import does
 * (streaming SHA-256, size probe or DICOM decode, WebP thumbnail, batched transactions). The `cxr bench`
 * command reports `imagesPerSecond`. The layout is guessed as the wizard would: Kermany's class folders, a
 * DICOM folder, a CSV at the root whose columns name the files, or one class per folder.
 * @param folder the dataset folder.
 * @param options an explicit spec, a decoder, the concurrency.
 */
export async function measureImportRate(folder: string, options: MeasureImportRateOptions = {}): Promise<ImportRateMeasurement> {
  const root = resolve(folder)
  const spec = options.spec ?? (await guessSpec(root))
  const dataFolder = mkdtempSync(join(tmpdir(), 'cxr-bench-'))
  const library = createLibraryService({
    dataFolder,
    decode: options.decode ?? ((path, bytes) => createImagingService().decodeBuffer(bytes, path)),
    importOptions: options.concurrency ? { concurrency: options.concurrency } : undefined,
  })
  try {
    const started = performance.now()
    const { jobId } = await library.startImport({ spec })
    const report = await library.waitForImport({ jobId })
    const seconds = (performance.now() - started) / 1000
    const images = report.images.imported + report.images.unchanged + report.images.failed + report.images.skipped
    return { folder: root, kind: spec.kind, images, failed: report.images.failed, seconds, imagesPerSecond: seconds > 0 ? images / seconds : 0 }
  } finally {
    await library.close()
    rmSync(dataFolder, { recursive: true, force: true })
  }
}

async function guessSpec(root: string): Promise<ImportSpecInput> {
  const scan = await scanFolder(root)
  const dataset = { id: 'benchmark' }
  const suggested = scan.suggested
  if (suggested.kind === 'dicom-folder') return { kind: 'dicom-folder', dataset, rootFolder: root, label: { kind: 'fixed', value: 'unlabelled' } }
  if (suggested.kind === 'csv') {
    for (const csvFile of [...suggested.csvFiles].sort()) {
      const csvPath = join(root, csvFile)
      const preview = await previewCsv(csvPath, 1)
      const file = preview.guessed.file
      if (!file || preview.rows.length === 0) continue
      const imageFolder = findImageFolder(dirname(csvPath), preview.rows[0][file])
      if (!imageFolder) continue
      return {
        kind: 'csv',
        dataset,
        csvPath,
        imageFolder,
        fileColumn: file,
        label: preview.guessed.label ? { kind: 'column', column: preview.guessed.label } : { kind: 'fixed', value: 'unlabelled' },
        patient: preview.guessed.patient ? { kind: 'column', column: preview.guessed.patient } : { kind: 'per-image' },
      }
    }
  }
  return {
    kind: 'folder-per-class',
    dataset,
    rootFolder: root,
    ...(suggested.classes ? { classes: suggested.classes } : {}),
    patient: suggested.patient ?? { kind: 'per-image' },
  }
}

/** The CSV's folder or the sub-folder of it holding the first listed file (`images/` beside `INDEX.csv`). */
function findImageFolder(csvFolder: string, firstFile: string | undefined): string | undefined {
  if (!firstFile) return undefined
  if (existsSync(join(csvFolder, firstFile))) return csvFolder
  const sub = readdirSync(csvFolder, { withFileTypes: true }).find((entry) => entry.isDirectory() && existsSync(join(csvFolder, entry.name, firstFile)))
  return sub ? join(csvFolder, sub.name) : undefined
}
