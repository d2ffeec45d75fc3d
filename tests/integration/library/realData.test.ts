import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkLeakage, composeDataset, paperPresets } from '@shared/datasets'
import { KERMANY_PATIENT_PATTERNS, kermanyFolderSpec } from '@shared/library/importSpecs'
import type { ImportSpecInput } from '@shared/library/importSpecs'
import type { LibraryService } from '@shared/library/types'
import { createImagingService } from '../../../src-main/services/imaging'
import { createLibraryService } from '../../../src-main/services/library'
import { hasSharedData, missingDataReason, sharedPath } from '../../helpers/sharedData'
import { temporaryFolder } from '../../unit/library/support'

/**
 * The library on the real shared data: the counts every later figure rests on. Each dataset is imported once
 * with thumbnails (the real workload); the Kermany CSV cross-check skips them to stay inside the time budget.
 */

const DATASETS = ['covid-chestxray', 'lungmask-radiologist', 'kermany-chestxray-224', 'dicom'] as const
const present = Object.fromEntries(DATASETS.map((name) => [name, hasSharedData(name)])) as Record<(typeof DATASETS)[number], boolean>

let data: { path: string; cleanup: () => void }
let library: LibraryService

async function runImport(spec: ImportSpecInput) {
  const started = performance.now()
  const { jobId } = await library.startImport({ spec })
  const report = await library.waitForImport({ jobId })
  const seconds = (performance.now() - started) / 1000
  console.info(`${spec.kind === 'masks' ? spec.datasetId : spec.dataset.id} (${spec.kind}): ${report.images.planned + report.masks.planned} files in ${seconds.toFixed(1)} s`)
  return report
}

/** The user's setting (System page): PHI is shown only when it is on. */
let showPhi = false

beforeAll(() => {
  data = temporaryFolder('cxr-real-library-')
  library = createLibraryService({ dataFolder: data.path, decode: (path, bytes) => createImagingService().decodeBuffer(bytes, path), showPhi: () => showPhi })
})

afterAll(async () => {
  await library.close()
  data.cleanup()
})

for (const name of DATASETS) {
  it.skipIf(present[name])(`says why the ${name} library tests are skipped`, () => console.warn(missingDataReason(name)))
}

describe.skipIf(!present['covid-chestxray'])('covid-chestxray (frontal_xray_labels.csv)', () => {
  it('imports 258 images: 206 COVID+ and 52 COVID−, patients from patientid', async () => {
    const report = await runImport({
      kind: 'csv',
      dataset: { id: 'covid-chestxray', name: 'COVID-ChestXRay' },
      csvPath: sharedPath('covid-chestxray', 'frontal_xray_labels.csv'),
      imageFolder: 'images',
      fileColumn: 'filename',
      label: { kind: 'column', column: 'covid', values: { '1': 'COVID+', '0': 'COVID-' } },
      patient: { kind: 'column', column: 'patientid' },
      viewColumn: 'view',
    })
    expect(report.images).toEqual({ planned: 258, imported: 258, unchanged: 0, skipped: 0, failed: 0, pending: 0 })
    expect(report.issues).toEqual([])
    expect(await library.getDataset({ datasetId: 'covid-chestxray' })).toMatchObject({
      imageCount: 258,
      patientCount: 162,
      classCounts: { 'COVID+': 206, 'COVID-': 52 },
      viewCounts: { PA: 187, 'AP Supine': 36, AP: 34, 'AP semi erect': 1 },
      duplicateContentCount: 0,
    })
  })

  it('attaches the V7 lung masks that fit their images, and names the two that do not', async () => {
    const report = await runImport({
      kind: 'masks',
      datasetId: 'covid-chestxray',
      source: { kind: 'index-csv', csvPath: sharedPath('covid-chestxray', 'lung-masks-v7', 'INDEX.csv'), imageColumn: 'image', maskColumn: 'mask' },
    })
    // Two V7 masks were drawn on a differently cropped copy of their image: attaching them would misalign.
    expect(report.masks).toMatchObject({ planned: 162, imported: 160, failed: 2 })
    expect(report.issues.map((issue) => issue.message)).toEqual([
      'ciaa199.pdf-001-a.png: mask is 359×345 but image "ciaa199.pdf-001-a.png" is 466×399',
      'ciaa199.pdf-001-c.png: mask is 352×334 but image "ciaa199.pdf-001-c.png" is 466×397',
    ])
    expect((await library.getDataset({ datasetId: 'covid-chestxray' })).maskCount).toBe(160)
  })

  it("composes the paper's COVID-ChestXRay set from the library and reloads it exactly", async () => {
    const spec = paperPresets['COVID-ChestXRay']({ 'COVID-ChestXRay': 'covid-chestxray' }, { labels: { 'COVID-ChestXRay': { 'COVID+': 'positive', 'COVID-': 'negative' } } })
    const composition = composeDataset(spec, await library.imageRecords({ datasetIds: ['covid-chestxray'] }))
    expect(checkLeakage(composition).ok).toBe(true)
    // Section III-A: the PA subset; Table I: 10 + 5 test images.
    expect(composition.assignments).toHaveLength(187)
    expect(composition.counts.rows.find((row) => row.split === 'test')!.total).toEqual({ positive: 10, negative: 5 })
    const saved = await library.saveComposition({ composition })
    expect(await library.loadComposition({ compositionId: saved.id })).toEqual(composition)
  })
})

describe.skipIf(!present['lungmask-radiologist'])('lungmask-radiologist (INDEX.csv)', () => {
  it('imports 98 images, each with its radiologist mask', async () => {
    const report = await runImport({
      kind: 'csv',
      dataset: { id: 'lungmask-radiologist' },
      csvPath: sharedPath('lungmask-radiologist', 'INDEX.csv'),
      imageFolder: 'images',
      fileColumn: 'image',
      label: { kind: 'fixed', value: 'unlabelled' },
      patient: { kind: 'per-image' },
      masks: { kind: 'index-csv', csvPath: sharedPath('lungmask-radiologist', 'INDEX.csv'), imageColumn: 'image', maskColumn: 'mask', maskFolder: 'masks' },
    })
    expect(report.images).toMatchObject({ planned: 98, imported: 98, failed: 0 })
    expect(report.masks).toMatchObject({ planned: 98, imported: 98, failed: 0 })
    expect(await library.getDataset({ datasetId: 'lungmask-radiologist' })).toMatchObject({ imageCount: 98, maskCount: 98 })
    const page = await library.listImages({ datasetId: 'lungmask-radiologist', limit: 1000 })
    expect(page.images.every((image) => image.maskCount === 1)).toBe(true)
  })
})

describe.skipIf(!present['kermany-chestxray-224'])('kermany-chestxray-224 (folder per class)', () => {
  it('imports 1224 images in 3 classes with patients from the file names', async () => {
    const report = await runImport(kermanyFolderSpec(sharedPath('kermany-chestxray-224'), { id: 'chestxray', name: 'ChestXRay' }))
    expect(report.images).toMatchObject({ planned: 1224, imported: 1224, failed: 0 })
    // Six pairs of identical files ship under two names; the published counts include both copies.
    expect(report.issueCounts).toEqual({ 'duplicate-content': 6, 'no-class-rule': 3 })
    expect(await library.getDataset({ datasetId: 'chestxray' })).toMatchObject({
      imageCount: 1224,
      patientCount: 898,
      classCounts: { normal: 534, bacteria: 392, virus: 298 },
      duplicateContentCount: 12,
    })
    const again = await runImport(kermanyFolderSpec(sharedPath('kermany-chestxray-224'), { id: 'chestxray' }))
    expect(again.images).toMatchObject({ imported: 0, unchanged: 1224 })
  })

  it('agrees with labels.csv image by image', async () => {
    await runImport({
      kind: 'csv',
      dataset: { id: 'chestxray-csv' },
      csvPath: sharedPath('kermany-chestxray-224', 'labels.csv'),
      fileColumn: 'path',
      label: { kind: 'column', column: 'class3' },
      patient: { kind: 'file-name', patterns: [...KERMANY_PATIENT_PATTERNS] },
      thumbnails: false,
    })
    const byFolder = await library.imageRecords({ datasetIds: ['chestxray'] })
    const byCsv = await library.imageRecords({ datasetIds: ['chestxray-csv'] })
    const strip = (records: typeof byFolder) => records.map(({ datasetId: _datasetId, ...record }) => record)
    expect(strip(byCsv)).toEqual(strip(byFolder))
  })
})

describe.skipIf(!present.dicom)('dicom (real radiographs in many encodings)', () => {
  it('imports all 17 files with pseudonymised patients and no PHI in summaries', async () => {
    const report = await runImport({ kind: 'dicom-folder', dataset: { id: 'dicom' }, rootFolder: sharedPath('dicom'), label: { kind: 'fixed', value: 'unlabelled' } })
    expect(report.images).toMatchObject({ planned: 17, imported: 17, failed: 0 })
    // The five CR-MONO1 chest files carry no Patient ID: their study stands for the patient. The dental file has both
    // a rescale and a Modality LUT Sequence: the decoder uses the LUT and the import lists its warning.
    expect(report.issueCounts).toEqual({ 'patient-missing': 5, 'decode-warning': 1 })
    const summary = await library.getDataset({ datasetId: 'dicom' })
    expect(summary).toMatchObject({ imageCount: 17, patientCount: 9, pseudonymised: true })
    expect(summary.phi).toBeUndefined()

    const page = await library.listImages({ datasetId: 'dicom' })
    const text = JSON.stringify([page, summary, await library.listDatasets()])
    // Header identifiers only: RSNA's file names are its (already anonymised) patient ids, and file names are image ids.
    for (const identifier of ['10RG2', '11RG3', 'CompressedSamples', 'Dog^AVeryGood', 'FUJI95706', 'HUP CR ER01', '1.3.6.1.4.1.5962.1.2.10.20040826185059.5457']) {
      expect(text).not.toContain(identifier)
    }
    expect(page.images.every((image) => /^P-[0-9a-f]{16}$/.test(image.patientId) && image.phi === undefined)).toBe(true)
    showPhi = true
    const withPhi = await library.listImages({ datasetId: 'dicom' })
    expect(withPhi.images.find((image) => image.imageId === 'RG2_JPLL.dcm')!.phi).toMatchObject({ patientId: '10RG2', sex: 'M' })
    expect((await library.getDataset({ datasetId: 'dicom' })).phi!.sexCounts).toMatchObject({ M: expect.any(Number), F: expect.any(Number) })
    showPhi = false
  })
})
