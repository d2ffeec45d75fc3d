import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { kermanyFolderSpec } from '@shared/library/importSpecs'
import type { LibraryService } from '@shared/library/types'
import { openLibrary, temporaryFolder, writePng, writeText } from './support'

/** A miniature of Kermany's layout, with a stray folder and a README beside the class folders. */
const FILES = [
  'test/NORMAL/IM-0001-0001.png',
  'test/NORMAL/NORMAL2-IM-0173-0001-0001.png',
  'test/NORMAL/NORMAL2-IM-0173-0001-0002.png',
  'test/PNEUMONIA/person1_bacteria_1.png',
  'test/PNEUMONIA/person1_virus_6.png',
  'test/PNEUMONIA/person1200_bacteria_3129.png',
  'train/NORMAL/IM-1200-0001.png',
  'train/PNEUMONIA/person2_virus_7.png',
  'train/PNEUMONIA/scan_fungal.png',
  'samples/IM-0630-0001.png',
]

let source: { path: string; cleanup: () => void }
let data: { path: string; cleanup: () => void }
let library: LibraryService

beforeEach(async () => {
  source = temporaryFolder('cxr-kermany-')
  data = temporaryFolder('cxr-data-')
  await Promise.all(FILES.map((file, index) => writePng(join(source.path, file), index + 1)))
  writeText(join(source.path, 'README.txt'), 'Kermany et al. 2018')
  writeText(join(source.path, 'labels.csv'), 'path,class3\n')
  library = openLibrary(data.path)
})

afterEach(async () => {
  await library.close()
  source.cleanup()
  data.cleanup()
})

describe('folder-per-class import', () => {
  it('recognises the Kermany layout and suggests its rules', async () => {
    const scan = await library.scanFolder({ rootFolder: source.path })
    expect(scan.imageFiles).toBe(10)
    expect(scan.folders.find((folder) => folder.folder === 'test/PNEUMONIA')).toMatchObject({ imageFiles: 3, otherFiles: 0 })
    expect(scan.folders.find((folder) => folder.folder === '')).toMatchObject({ imageFiles: 0, otherFiles: 2 })
    expect(scan.suggested).toMatchObject({ kind: 'folder-per-class', csvFiles: ['labels.csv'], patient: { kind: 'file-name' } })
    expect(scan.suggested.classes).toHaveLength(3)
  })

  it('previews classes and patients, and shows the effect of an edited pattern', async () => {
    const spec = kermanyFolderSpec(source.path, { id: 'chestxray' })
    const preview = await library.previewImport({ spec, sampleSize: 3 })
    expect(preview).toMatchObject({
      datasetExists: false,
      blocking: [],
      imageCount: 8,
      classCounts: { normal: 4, bacteria: 2, virus: 2 },
      // person1, person1200, person2, IM-0001, IM-0173, IM-1200
      patientCount: 6,
      issueCounts: { 'no-class-rule': 2 },
    })
    expect(preview.sample[0]).toEqual({ imageId: 'test/NORMAL/IM-0001-0001.png', file: join(source.path, 'test/NORMAL/IM-0001-0001.png'), label: 'normal', patientId: 'IM-0001' })
    expect(preview.issues.map((issue) => issue.message)).toEqual([
      'samples/IM-0630-0001.png: skipped, no class rule matches its folder and name',
      'train/PNEUMONIA/scan_fungal.png: skipped, no class rule matches its folder and name',
    ])
    expect(preview.folders).toContainEqual({ folder: 'test/PNEUMONIA', files: 3, class: 'bacteria, virus' })

    // The brief's pattern without the prefix: person1200 and IM-1200 become one patient.
    const merged = await library.previewImport({ spec: { ...spec, patient: { kind: 'file-name', patterns: ['person(?<patient>\\d+)_', 'IM-(?<patient>\\d+)'] } } })
    expect(merged.patientCount).toBe(5)
    const partial = await library.previewImport({ spec: { ...spec, patient: { kind: 'file-name', patterns: ['person(?<patient>\\d+)_'] } } })
    expect(partial.issueCounts['patient-pattern-unmatched']).toBe(4)
  })

  it('imports the class folders with patients from the file names', async () => {
    const { jobId } = await library.startImport({ spec: kermanyFolderSpec(source.path, { id: 'chestxray', name: 'ChestXRay' }) })
    const report = await library.waitForImport({ jobId })
    expect(report.images).toMatchObject({ planned: 8, imported: 8, failed: 0 })
    const summary = await library.getDataset({ datasetId: 'chestxray' })
    expect(summary).toMatchObject({ sourceKind: 'folder-per-class', imageCount: 8, patientCount: 6, classCounts: { normal: 4, bacteria: 2, virus: 2 }, viewCounts: { unknown: 8 } })
    const records = await library.imageRecords({ datasetIds: ['chestxray'] })
    expect(records.find((record) => record.imageId === 'test/PNEUMONIA/person1_virus_6.png')).toMatchObject({ label: 'virus', patientId: 'person1' })
    const page = await library.listImages({ datasetId: 'chestxray', label: 'normal' })
    expect(page.total).toBe(4)
    expect(page.images[0].attributes).toEqual({ folder: 'test/NORMAL' })
  })

  it('uses folder names as classes when no rules are given, and blocks when nothing matches', async () => {
    const preview = await library.previewImport({ spec: { kind: 'folder-per-class', dataset: { id: 'x' }, rootFolder: join(source.path, 'train'), patient: { kind: 'per-image' } } })
    expect(preview.classCounts).toEqual({ NORMAL: 1, PNEUMONIA: 2 })
    expect(preview.issueCounts).toEqual({ 'per-image-patients': 1 })

    const none = await library.previewImport({
      spec: { kind: 'folder-per-class', dataset: { id: 'x' }, rootFolder: source.path, classes: [{ folder: 'COVID', class: 'covid' }], patient: { kind: 'per-image' } },
    })
    expect(none.blocking).toEqual([expect.objectContaining({ code: 'no-images', message: expect.stringContaining('no PNG, JPEG or DICOM file matches a class (10 image file(s) found)') })])

    const missing = await library.previewImport({ spec: { kind: 'folder-per-class', dataset: { id: 'x' }, rootFolder: join(source.path, 'nope'), patient: { kind: 'per-image' } } })
    expect(missing.blocking).toEqual([expect.objectContaining({ code: 'source-missing', message: `image folder ${join(source.path, 'nope')} does not exist` })])
  })
})
