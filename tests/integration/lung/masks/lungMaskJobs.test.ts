import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { kermanyFolderSpec } from '@shared/library/importSpecs'
import type { LibraryService } from '@shared/library/types'
import type { SegmentationProgress } from '@shared/lung/qaSchemas'
import { initWasmBackend } from '../../../../src-main/services/engine/wasm'
import { decodeImageFile } from '../../../../src-main/services/imaging/index'
import { createLungMaskJobs, lungModelIdentity, type LungMaskJobs, type LungMaskJobsDeps } from '../../../../src-main/services/lung'
import { saveLayersModel } from '../../../../src-main/services/engine/modelFiles'
import { buildUNet } from '../../../../src-main/services/lung/model/unet'
import { writeTestCard } from '../model/syntheticBlobs'
import { countRows, openLibrary, temporaryFolder } from '../../../unit/library/support'
import { saveBrightnessModel, writeChest } from './support'

const GOOD = ['train/NORMAL/IM-0001-0001.png', 'train/NORMAL/IM-0002-0001.png', 'train/NORMAL/IM-0003-0001.png', 'train/PNEUMONIA/person1_bacteria_1.png', 'train/PNEUMONIA/person2_virus_2.png']
const ONE_LUNG = 'train/PNEUMONIA/person3_bacteria_3.png'

const models = temporaryFolder('cxr-lung-models-')
const brightModel = join(models.path, 'bright')
const unetModel = join(models.path, 'unet')

let source: { path: string; cleanup: () => void }
let data: { path: string; cleanup: () => void }
let library: LibraryService
let service: LungMaskJobs

const open = (extra: Partial<LungMaskJobsDeps> = {}) => createLungMaskJobs({ dataFolder: data.path, decode: (path) => decodeImageFile(path), defaultModelFolder: () => brightModel, ...extra })

beforeAll(async () => {
  await initWasmBackend()
  await saveBrightnessModel(brightModel)
  const unet = buildUNet({ inputSize: 16, depth: 2, baseFilters: 2, seed: 1 })
  await saveLayersModel(unet, unetModel)
  unet.dispose()
  writeTestCard(unetModel, 16)
})
afterAll(() => models.cleanup())

beforeEach(async () => {
  source = temporaryFolder('cxr-lungs-src-')
  data = temporaryFolder('cxr-lungs-data-')
  await Promise.all(GOOD.map((file, index) => writeChest(join(source.path, file), index)))
  await writeChest(join(source.path, ONE_LUNG), 2, 1)
  library = openLibrary(data.path)
  const { jobId } = await library.startImport({ spec: kermanyFolderSpec(source.path, { id: 'chest', name: 'Chest' }) })
  expect((await library.waitForImport({ jobId })).images).toMatchObject({ imported: 6, failed: 0 })
  service = open()
})
afterEach(async () => {
  await service.close()
  await library.close()
  source.cleanup()
  data.cleanup()
})

describe('segmentDataset', () => {
  it('segments every image once, caches masks under the model id, and a second run is a no-op', async () => {
    const events: SegmentationProgress[] = []
    service.onDidProgress((event) => events.push(event))
    const { jobId, modelId } = await service.segmentDataset({ datasetId: 'chest' })
    expect(modelId).toBe((await lungModelIdentity(brightModel)).modelId)
    const first = await service.waitForJob({ jobId })
    expect(first).toMatchObject({ status: 'completed', done: 6, total: 6, failed: 0, cached: 0, etaSeconds: 0, error: null })
    expect(events[0]).toMatchObject({ jobId, status: 'queued' })
    expect(events.at(-1)).toMatchObject({ status: 'completed', done: 6 })
    expect(countRows(data.path, 'lung_masks')).toBe(6)

    const overlay = await service.maskFor({ datasetId: 'chest', imageId: GOOD[0], modelId })
    expect([overlay.width, overlay.height]).toEqual([48, 40])
    expect(overlay.mask.every((value) => value === 0 || value === 255)).toBe(true)
    expect(overlay.mask.some((value) => value === 255)).toBe(true)

    const second = await service.waitForJob({ jobId: (await service.segmentDataset({ datasetId: 'chest' })).jobId })
    expect(second).toMatchObject({ status: 'completed', done: 6, cached: 6, failed: 0 })
  })

  it('keeps the masks of two models side by side', async () => {
    const bright = await service.segmentDataset({ datasetId: 'chest' })
    const unet = await service.segmentDataset({ datasetId: 'chest', modelFolder: unetModel })
    expect(unet.modelId).not.toBe(bright.modelId)
    // Queued behind the first: one job at a time.
    expect((await service.getJob({ jobId: unet.jobId })).status).toMatch(/queued|running/)
    expect(await service.waitForJob({ jobId: unet.jobId })).toMatchObject({ status: 'completed', cached: 0, done: 6 })
    expect((await service.getJob({ jobId: bright.jobId })).status).toBe('completed')
    const counts = await service.lungMaskModels({ datasetId: 'chest' })
    expect(counts.map((model) => [model.modelId, model.maskCount]).sort()).toEqual([[bright.modelId, 6], [unet.modelId, 6]].sort())
    expect((await service.listMaskQa({ datasetId: 'chest', modelId: unet.modelId, sort: 'name' })).rows).toHaveLength(6)
  })

  it('stops when cancelled mid-way, and a re-run finishes with the cached masks', async () => {
    await service.close()
    service = open({ beforeImage: (jobId, index) => (index === 2 ? service.cancel({ jobId }) : undefined) })
    const cancelled = await service.waitForJob({ jobId: (await service.segmentDataset({ datasetId: 'chest' })).jobId })
    expect(cancelled).toMatchObject({ status: 'cancelled', done: 2, total: 6 })
    await service.close()
    service = open()
    expect(await service.waitForJob({ jobId: (await service.segmentDataset({ datasetId: 'chest' })).jobId })).toMatchObject({ status: 'completed', done: 6, cached: 2 })
  })

  it('records an unreadable file, lists it, and completes the others', async () => {
    writeFileSync(join(source.path, GOOD[1]), 'not an image')
    const { jobId, modelId } = await service.segmentDataset({ datasetId: 'chest' })
    const summary = await service.waitForJob({ jobId })
    expect(summary).toMatchObject({ status: 'completed', done: 6, failed: 1 })
    expect(summary.failures.map((failure) => failure.imageId)).toEqual([GOOD[1]])
    expect((await service.listFailures({ datasetId: 'chest', modelId })).map((failure) => failure.imageId)).toEqual([GOOD[1]])
    expect(countRows(data.path, 'lung_masks')).toBe(5)
  })

  it('rejects an unknown dataset and a folder without a model before queueing', async () => {
    await expect(service.segmentDataset({ datasetId: 'nope' })).rejects.toThrow(/no dataset nope/)
    await expect(service.segmentDataset({ datasetId: 'chest', modelFolder: join(models.path, 'missing') })).rejects.toThrow(/no lung model/)
  })
})

describe('mask QA', () => {
  it('ranks the one-lung mask first, stores flags across a restart, and lists bad images for exclusion', async () => {
    const { jobId, modelId } = await service.segmentDataset({ datasetId: 'chest' })
    await service.waitForJob({ jobId })
    const { rows } = await service.listMaskQa({ datasetId: 'chest' })
    expect(rows[0]).toMatchObject({ imageId: ONE_LUNG, flag: 'unreviewed', features: { componentCount: 1 } })
    expect(rows[0].score).toBeGreaterThan(3)
    expect(rows.slice(1).every((row) => row.features.componentCount === 2 && row.score < rows[0].score)).toBe(true)

    await service.setMaskFlag({ datasetId: 'chest', imageId: ONE_LUNG, modelId, flag: 'bad', note: 'right lung missed' })
    await service.setMaskFlag({ datasetId: 'chest', imageId: GOOD[0], modelId, flag: 'ok' })
    await service.close()
    service = open()
    const bad = await service.listMaskQa({ datasetId: 'chest', modelId, flag: 'bad' })
    expect(bad.rows.map((row) => [row.imageId, row.note])).toEqual([[ONE_LUNG, 'right lung missed']])
    // A flag change without a note keeps the note.
    await service.setMaskFlag({ datasetId: 'chest', imageId: ONE_LUNG, modelId, flag: 'bad' })
    expect(await service.excludedImageIds({ datasetId: 'chest', modelId })).toEqual([ONE_LUNG])
    expect((await service.listMaskQa({ datasetId: 'chest', sort: 'name' })).rows.map((row) => row.imageId)).toEqual([...GOOD, ONE_LUNG].sort())
    expect((await service.lungMaskModels())[0]).toMatchObject({ modelId, maskCount: 6, badCount: 1, failedCount: 0 })
    await expect(service.setMaskFlag({ datasetId: 'chest', imageId: 'nope.png', modelId, flag: 'ok' })).rejects.toThrow(/no image nope\.png/)
  })

  it('deleting the dataset removes its masks and reviews', async () => {
    const { jobId, modelId } = await service.segmentDataset({ datasetId: 'chest' })
    await service.waitForJob({ jobId })
    await service.setMaskFlag({ datasetId: 'chest', imageId: ONE_LUNG, modelId, flag: 'bad' })
    await library.deleteDataset({ datasetId: 'chest' })
    expect(countRows(data.path, 'lung_masks')).toBe(0)
    expect(countRows(data.path, 'mask_reviews')).toBe(0)
  })
})
