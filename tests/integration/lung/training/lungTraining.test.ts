import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportSpecInput } from '@shared/library/importSpecs'
import type { LibraryService } from '@shared/library/types'
import { LungModelCardSchema } from '@shared/lung'
import type { LungTrainingProgress } from '@shared/lung/lungTraining'
import { initWasmBackend } from '../../../../src-main/services/engine/wasm'
import { ACTIVE_LUNG_MODEL_FILE, createLungTrainingService, trainedLungModelsDir, type LungTrainingService } from '../../../../src-main/services/lung'
import { saveBrightnessModel } from '../masks/support'
import { sourceWorkerEntry } from '../../../../src-main/services/workers/host'
import { createJobLauncher } from '../../../../src-main/services/workers/launcher'
import { openLibrary, temporaryFolder, writeMask, writePng, writeText } from '../../../unit/library/support'

// Chest-like PNGs: two bright ellipses ("lungs") whose position depends on the seed, and their masks.
const SIZE = { width: 40, height: 36 }
const IMAGES = 12

function lungAt(seed: number): (x: number, y: number) => boolean {
  const dx = (seed % 5) - 2
  const dy = (seed % 3) - 1
  return (x, y) => [0.3, 0.7].some((c) => ((x + 0.5 - c * SIZE.width - dx) / (0.13 * SIZE.width)) ** 2 + ((y + 0.5 - 0.5 * SIZE.height - dy) / (0.3 * SIZE.height)) ** 2 <= 1)
}

async function writeChest(path: string, seed: number): Promise<void> {
  // writeMask writes 0/255; a 40/200 "radiograph" with a seed-dependent pixel keeps every content hash distinct.
  const inside = lungAt(seed)
  await writeMask(path, SIZE, (x, y) => inside(x, y) !== (x === 0 && y === seed))
}

let source: { path: string; cleanup: () => void }
let data: { path: string; cleanup: () => void }
let shipped: string
let library: LibraryService
let service: LungTrainingService

const open = () =>
  createLungTrainingService({
    dataFolder: data.path,
    library,
    ready: () => initWasmBackend(),
    shippedModelFolder: () => shipped,
    // Tiny and fast: no time budget or learning-rate schedule to get in the way of 1–2 epochs.
    defaults: { batchSize: 4, patience: 8, timeBudgetMinutes: null, learningRate: 0.01 },
    progressIntervalMs: 0,
  })

async function importCsv(spec: ImportSpecInput): Promise<void> {
  const { jobId } = await library.startImport({ spec })
  const report = await library.waitForImport({ jobId })
  expect(report.images.imported).toBeGreaterThan(0)
}

beforeAll(async () => {
  source = temporaryFolder('cxr-lungtrain-src-')
  data = temporaryFolder('cxr-lungtrain-data-')
  await initWasmBackend()
  shipped = join(source.path, 'shipped-lung-unet')
  await saveBrightnessModel(shipped, 16)
  const rows = ['image,mask,patient']
  for (let seed = 0; seed < IMAGES; seed++) {
    await writeChest(join(source.path, 'images', `c${seed}.png`), seed)
    await writeMask(join(source.path, 'masks', `c${seed}_lungs.png`), SIZE, lungAt(seed))
    // Two images per patient, so the split has patients to keep apart.
    rows.push(`c${seed}.png,c${seed}_lungs.png,p${Math.floor(seed / 2)}`)
  }
  writeText(join(source.path, 'INDEX.csv'), `${rows.join('\n')}\n`)
  for (let seed = 0; seed < 3; seed++) await writePng(join(source.path, 'plain', `x${seed}.png`), seed + 1)
  writeText(join(source.path, 'PLAIN.csv'), 'image\nx0.png\nx1.png\nx2.png\n')
  library = openLibrary(data.path)
  await importCsv({
    kind: 'csv',
    dataset: { id: 'lungs', name: 'Synthetic lungs' },
    csvPath: join(source.path, 'INDEX.csv'),
    imageFolder: 'images',
    fileColumn: 'image',
    label: { kind: 'fixed', value: 'unlabelled' },
    patient: { kind: 'column', column: 'patient' },
    masks: { kind: 'index-csv', csvPath: join(source.path, 'INDEX.csv'), imageColumn: 'image', maskColumn: 'mask', maskFolder: 'masks' },
  })
  await importCsv({
    kind: 'csv',
    dataset: { id: 'plain', name: 'No masks here' },
    csvPath: join(source.path, 'PLAIN.csv'),
    imageFolder: 'plain',
    fileColumn: 'image',
    label: { kind: 'fixed', value: 'unlabelled' },
    patient: { kind: 'per-image' },
  })
  service = open()
})

afterAll(async () => {
  await service?.close()
  await library?.close()
  source?.cleanup()
  data?.cleanup()
})

describe('lung training from the library', () => {
  let trainedFolder: string

  it('trains a job with progress, and writes model.json and a card with held-out Dice on a patient-disjoint split', async () => {
    const events: LungTrainingProgress[] = []
    // Timer turns seen at each event: training runs on this event loop, so they prove it yields between steps.
    let turns = 0
    const timer = setInterval(() => turns++, 0)
    const turnsAt: number[] = []
    const unsubscribe = service.onDidProgress((progress) => {
      events.push(progress)
      if (progress.status === 'training' && progress.loss !== null) turnsAt.push(turns)
    })
    const { jobId } = await service.start({ datasetIds: ['lungs'], inputSize: 32, depth: 2, baseFilters: 4, epochs: 2, seed: 3, name: 'Tiny test U-Net' })
    const done = await service.wait({ jobId })
    unsubscribe()
    clearInterval(timer)
    expect(done.error).toBeNull()
    expect(done.status).toBe('completed')
    const statuses = [...new Set(events.map((event) => event.status))]
    expect(statuses).toEqual(['queued', 'loading', 'training', 'evaluating', 'completed'])
    const steps = events.filter((event) => event.status === 'training' && event.loss !== null)
    expect(steps.length).toBeGreaterThanOrEqual(2)
    expect(steps.every((event) => event.epochs === 2 && event.steps > 0 && event.step >= 1 && event.step <= event.steps && Number.isFinite(event.loss))).toBe(true)
    expect(steps.at(-1)).toMatchObject({ epoch: 2, valDice: expect.any(Number), etaSeconds: 0 })
    expect(turnsAt.at(-1)! - turnsAt[0]).toBeGreaterThan(0)

    trainedFolder = join(trainedLungModelsDir(data.path), jobId)
    expect(done.modelFolder).toBe(trainedFolder)
    for (const file of ['model.json', 'weights.bin', 'model-card.json']) expect(existsSync(join(trainedFolder, file))).toBe(true)
    // No partial folder is left beside it.
    expect(readdirSync(trainedLungModelsDir(data.path))).toEqual([jobId])
    const raw = JSON.parse(readFileSync(join(trainedFolder, 'model-card.json'), 'utf8'))
    const card = LungModelCardSchema.parse(raw)
    expect(card.name).toBe('Tiny test U-Net')
    expect(card.architecture).toMatchObject({ inputSize: 32, depth: 2, baseFilters: 4 })
    expect(card.evaluation.heldOut.images).toBeGreaterThan(0)
    expect(card.evaluation.heldOut.meanDice).toBeGreaterThanOrEqual(0)
    expect(card.evaluation.heldOut.meanDice).toBeLessThanOrEqual(1)
    expect(done.heldOut).toEqual(card.evaluation.heldOut)
    expect(raw.trainingData.libraryDatasetIds).toEqual(['lungs'])
    const images = raw.trainingData.images as Array<{ patientId: string; split: string }>
    expect(images).toHaveLength(IMAGES)
    const patientsOf = (split: string) => new Set(images.filter((image) => image.split === split).map((image) => image.patientId))
    for (const patient of patientsOf('test')) {
      expect(patient.startsWith('lungs:')).toBe(true)
      expect(patientsOf('train').has(patient) || patientsOf('validation').has(patient)).toBe(false)
    }

    const models = await service.models()
    expect(models.map((model) => [model.source, model.id, model.active])).toEqual([
      ['shipped', 'shipped', true],
      ['trained', jobId, false],
    ])
    expect(models[1]).toMatchObject({ name: 'Tiny test U-Net', datasetIds: ['lungs'], heldOut: card.evaluation.heldOut })
  })

  it('trains in a job worker as the app does: progress relayed, a model and its card written', async () => {
    const inWorker = createLungTrainingService({
      dataFolder: data.path,
      library,
      shippedModelFolder: () => shipped,
      defaults: { batchSize: 4, patience: 8, timeBudgetMinutes: null, learningRate: 0.01 },
      progressIntervalMs: 0,
      jobs: createJobLauncher({ kind: 'worker', entry: sourceWorkerEntry(), backend: () => ({ preference: 'wasm', source: 'setting' }) }),
    })
    const statuses = new Set<string>()
    inWorker.onDidProgress((progress) => statuses.add(progress.status))
    const { jobId } = await inWorker.start({ datasetIds: ['lungs'], inputSize: 32, depth: 2, baseFilters: 4, epochs: 1, seed: 3, name: 'Worker U-Net' })
    const done = await inWorker.wait({ jobId })
    expect(done.error).toBeNull()
    expect(done.status).toBe('completed')
    expect([...statuses]).toEqual(['queued', 'loading', 'training', 'evaluating', 'completed'])
    const card = LungModelCardSchema.parse(JSON.parse(readFileSync(join(done.modelFolder!, 'model-card.json'), 'utf8')))
    expect(card.name).toBe('Worker U-Net')
    await inWorker.close()
  }, 120_000)

  it('cancels mid-way: the job ends cancelled and leaves no model', async () => {
    let jobId = ''
    const unsubscribe = service.onDidProgress((progress) => {
      if (progress.status === 'training' && progress.step >= 1) void service.cancel({ jobId: progress.jobId })
    })
    ;({ jobId } = await service.start({ datasetIds: ['lungs'], inputSize: 32, depth: 2, baseFilters: 4, epochs: 50 }))
    const done = await service.wait({ jobId })
    unsubscribe()
    expect(done.status).toBe('cancelled')
    expect(done.epoch).toBeLessThanOrEqual(1)
    expect(done.modelFolder).toBeNull()
    // No model, only the job's record and checkpoint, so it can be resumed.
    expect(readdirSync(trainedLungModelsDir(data.path)).filter((name) => name.includes(jobId))).toEqual([`.${jobId}.job`])
    expect(done.resumable).toBe(true)
    expect((await service.list()).map((job) => job.status)).toEqual(['completed', 'cancelled'])
  })

  it('after the app stopped mid-training, lists the job as interrupted and resumes it from its checkpoint to a model', async () => {
    const first = open()
    let jobId = ''
    const unsubscribe = first.onDidProgress((progress) => {
      if (progress.status === 'training' && progress.epoch >= 2 && progress.step >= 1) void first.cancel({ jobId: progress.jobId })
    })
    ;({ jobId } = await first.start({ datasetIds: ['lungs'], inputSize: 32, depth: 2, baseFilters: 4, epochs: 3, name: 'Resumed lungs' }))
    expect((await first.wait({ jobId })).status).toBe('cancelled')
    unsubscribe()
    await first.close()
    // As if the program had been killed while training: its record still says so.
    const record = join(trainedLungModelsDir(data.path), `.${jobId}.job`, 'job.json')
    writeFileSync(record, readFileSync(record, 'utf8').replace('"status": "cancelled"', '"status": "training"'))

    const second = open()
    try {
      const listed = (await second.list()).find((job) => job.jobId === jobId)!
      expect(listed).toMatchObject({ status: 'interrupted', resumable: true, name: 'Resumed lungs' })
      await second.resume({ jobId })
      const done = await second.wait({ jobId })
      expect(done.status).toBe('completed')
      expect(done.log.some((line) => /resumed from the checkpoint at epoch 2/.test(line))).toBe(true)
      expect(existsSync(join(done.modelFolder!, 'model.json'))).toBe(true)
      expect(existsSync(join(trainedLungModelsDir(data.path), `.${jobId}.job`))).toBe(false)
      await expect(second.resume({ jobId })).rejects.toMatchObject({ code: 'not-resumable', message: expect.stringContaining('"Resumed lungs" cannot be resumed') })
    } finally {
      await second.close()
    }
  }, 120_000)

  it('refuses a dataset without masks, naming it, and impossible settings', async () => {
    await expect(service.start({ datasetIds: ['lungs', 'plain'] })).rejects.toMatchObject({ code: 'no-masks', message: expect.stringContaining("Dataset 'No masks here' (plain)") })
    await expect(service.start({ datasetIds: ['lungs'], inputSize: 30, depth: 2 })).rejects.toMatchObject({ code: 'invalid-settings', message: expect.stringContaining('multiple of 2^depth') })
    expect(await service.list()).toHaveLength(2)
  })

  it('persists the chosen lung model across a restart, and refuses a folder that is not an installed model', async () => {
    expect(await service.activeModel()).toMatchObject({ source: 'shipped', chosen: false, folder: shipped })
    const changes: string[] = []
    service.onDidChangeActiveModel((active) => changes.push(active.folder))
    const active = await service.setActiveModel({ folder: trainedFolder })
    expect(active).toMatchObject({ source: 'trained', folder: trainedFolder, chosen: true, fallbackReason: null })
    expect(changes).toEqual([trainedFolder])
    expect(existsSync(join(data.path, ACTIVE_LUNG_MODEL_FILE))).toBe(true)
    await expect(service.setActiveModel({ folder: source.path })).rejects.toMatchObject({ code: 'unknown-model' })

    await service.close()
    service = open()
    expect(service.activeModelFolder()).toBe(trainedFolder)
    expect(await service.activeModel()).toMatchObject({ source: 'trained', folder: trainedFolder, chosen: true })
    expect((await service.models()).filter((model) => model.active).map((model) => model.folder)).toEqual([trainedFolder])
  })
})
