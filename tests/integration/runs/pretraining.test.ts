/**
 * Pre-training and whole-run options through the runs service (in-process, wasm, tiny: Conv8 width 2 at 16 px):
 * pre-training on a 3-class (and binary) pneumonia set, reusing a run's encoder, the failures of both, and one
 * run each with a frozen encoder, focal loss, balanced class weights, reduce-on-plateau, early stopping, and
 * an estimate.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type * as tf from '@tensorflow/tfjs'
import { initWasmBackend } from '../../../src-main/services/engine/wasm'
import { createRunsService, type RunsServiceImpl } from '../../../src-main/services/runs'
import type { RunsLibrary } from '../../../src-main/services/runs/dataPlan'
import { loadLayersModelFromFolder } from '../../../src-main/services/engine/modelFiles'
import { fakeLibrary, tinyRunConfig, writeFixtureImages, type FixtureImage } from './support/fixtures'

let root: string
let covid: FixtureImage[]
let pneumonia: FixtureImage[]
const PNEUMONIA_LABELS = ['NORMAL', 'BACTERIA', 'VIRUS']
const LABEL_MAP = { NORMAL: 'normal', BACTERIA: 'bacteria', VIRUS: 'virus' } as const

/** The fixture library plus a pneumonia dataset `pneumo` whose labels cycle NORMAL, BACTERIA, VIRUS. */
function libraryWithPneumonia(): RunsLibrary {
  const base = fakeLibrary(covid)
  return {
    loadComposition: base.loadComposition,
    async listImages(request) {
      if (request.datasetId !== 'pneumo') return base.listImages(request)
      const offset = request.offset ?? 0
      return {
        total: pneumonia.length,
        offset,
        images: pneumonia.slice(offset).map((image) => ({ imageId: image.imageId, datasetId: 'pneumo', path: image.path, contentHash: image.contentHash })),
      } as unknown as Awaited<ReturnType<RunsLibrary['listImages']>>
    },
    async imageRecords({ datasetIds }) {
      if (!datasetIds?.includes('pneumo')) return []
      return pneumonia.map((image, index) => ({
        imageId: image.imageId,
        datasetId: 'pneumo',
        patientId: `patient-${index}`,
        label: PNEUMONIA_LABELS[index % 3],
        contentHash: image.contentHash,
      })) as unknown as Awaited<ReturnType<RunsLibrary['imageRecords']>>
    },
  }
}

/** Conv8 of width 2 at 16 px: the smallest network the pipeline takes. */
const tiny = (overrides: Record<string, unknown> = {}) => tinyRunConfig({ baseWidth: 2, input: { resize: 20, crop: 16 }, headHidden: [4], epochs: 1, ...overrides })

const pretrainTrain = (overrides: Record<string, unknown> = {}) => ({
  kind: 'train' as const,
  datasetIds: ['pneumo'],
  classes: 'three' as const,
  labelMap: { ...LABEL_MAP },
  epochs: 1,
  validationFraction: 0.3,
  ...overrides,
})

let service: RunsServiceImpl

async function run(config: Record<string, unknown>) {
  return service.waitForRun(await service.start(config as Parameters<RunsServiceImpl['start']>[0]))
}

/** Every weight of the layers named, by layer and index. */
function weightsOf(model: tf.LayersModel, layerNames: string[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>()
  for (const name of layerNames) model.getLayer(name).getWeights().forEach((weight, index) => out.set(`${name}/${index}`, weight.dataSync() as Float32Array))
  return out
}

beforeAll(async () => {
  await initWasmBackend()
  root = mkdtempSync(join(tmpdir(), 'cxr-runs-pretrain-'))
  covid = await writeFixtureImages(join(root, 'covid'), 16)
  pneumonia = await writeFixtureImages(join(root, 'pneumonia'), 18)
  service = createRunsService({ dataFolder: join(root, 'data'), library: libraryWithPneumonia(), execution: { kind: 'in-process' } })
})
afterAll(async () => {
  await service?.close()
  rmSync(root, { recursive: true, force: true })
})

describe('pre-training', () => {
  let firstRunId = ''

  it('kind train (three classes): pre-trains, saves the encoder, then fine-tunes', async () => {
    const record = await run(tiny({ pretraining: pretrainTrain() }))
    expect(record.failureReason).toBeNull()
    expect(record.state).toBe('completed')
    expect(record.history.map((epoch) => `${epoch.phase}:${epoch.epoch}`)).toEqual(['pretrain:0', 'finetune:0'])
    expect(record.provenance?.pretrainImages).toHaveLength(pneumonia.length)
    expect(new Set(record.provenance?.pretrainImages.map((image) => image.label))).toEqual(new Set([0, 1, 2]))
    expect(record.log.some((line) => line.includes('pre-training done: encoder of epoch 1 kept'))).toBe(true)
    expect(existsSync(join(service.runFolder(record.id), 'encoder', 'model.json'))).toBe(true)
    firstRunId = record.id
  })

  it('kind run: starts from the first run’s encoder and names it in the provenance', async () => {
    expect(firstRunId).not.toBe('')
    const record = await run(tiny({ pretraining: { kind: 'run', runId: firstRunId } }))
    expect(record.failureReason).toBeNull()
    expect(record.state).toBe('completed')
    expect(record.provenance?.encoderFromRunId).toBe(firstRunId)
    expect(record.provenance?.pretrainImages).toEqual([])
    expect(record.history.map((epoch) => epoch.phase)).toEqual(['finetune'])
    expect(record.log.some((line) => line.includes(`encoder initialised from run ${firstRunId}`))).toBe(true)
  })

  it('kind run with another architecture or input size fails with the reason', async () => {
    const architecture = await run(tiny({ architecture: 'resnet18', pretraining: { kind: 'run', runId: firstRunId } }))
    expect(architecture.state).toBe('failed')
    expect(architecture.failureReason).toContain(`the run "tiny"'s encoder is a conv8 at 16 px; this run needs a resnet18 at 16 px`)
    const width = await run(tiny({ baseWidth: 4, pretraining: { kind: 'run', runId: firstRunId } }))
    expect(width.state).toBe('failed')
    expect(width.failureReason).toContain(`the encoder of run ${firstRunId} does not fit this run`)
  })

  it('kind train with binary classes completes', async () => {
    const record = await run(tiny({ pretraining: pretrainTrain({ classes: 'binary' }) }))
    expect(record.failureReason).toBeNull()
    expect(record.state).toBe('completed')
    expect(new Set(record.provenance?.pretrainImages.map((image) => image.label))).toEqual(new Set([0, 1]))
    expect(record.history.map((epoch) => epoch.phase)).toEqual(['pretrain', 'finetune'])
  })

  it('a label missing from labelMap fails naming it', async () => {
    const record = await run(tiny({ pretraining: pretrainTrain({ labelMap: { NORMAL: 'normal', BACTERIA: 'bacteria' } }) }))
    expect(record.state).toBe('failed')
    expect(record.failureReason).toMatch(/pre-training labels without a class in labelMap: VIRUS/)
  })
})

describe('whole-run options', () => {
  it('freezeEncoder: fine-tuning leaves the (pre-trained) encoder weights, batch-norm statistics included, unchanged', async () => {
    const record = await run(tiny({ freezeEncoder: true, pretraining: pretrainTrain() }))
    expect(record.failureReason).toBeNull()
    expect(record.state).toBe('completed')
    const encoder = await loadLayersModelFromFolder(join(service.runFolder(record.id), 'encoder'))
    const model = await loadLayersModelFromFolder(record.modelFolder!)
    try {
      const names = encoder.layers.filter((layer) => layer.getWeights().length > 0).map((layer) => layer.name)
      expect(names.length).toBeGreaterThan(0)
      const before = weightsOf(encoder, names)
      const after = weightsOf(model, names)
      for (const [key, values] of before) expect(Array.from(after.get(key)!), key).toEqual(Array.from(values))
      // The head did train.
      expect(record.history.filter((epoch) => epoch.phase === 'finetune').every((epoch) => Number.isFinite(epoch.trainLoss))).toBe(true)
    } finally {
      encoder.dispose()
      model.dispose()
    }
  })

  it('focal loss and balanced class weights complete with finite losses', async () => {
    for (const overrides of [{ loss: { kind: 'focal', gamma: 2 } }, { classWeights: 'balanced' }]) {
      const record = await run(tiny(overrides))
      expect(record.failureReason, JSON.stringify(overrides)).toBeNull()
      expect(record.state).toBe('completed')
      expect(record.history.every((epoch) => Number.isFinite(epoch.trainLoss) && Number.isFinite(epoch.valLoss))).toBe(true)
    }
  })

  // A frozen encoder (inference-mode batch norm) and a learning rate far below float32 resolution: validation
  // scores cannot improve after the first epoch, so plateau and early stopping trigger deterministically.
  const stuck = { freezeEncoder: true, optimizer: { kind: 'sgd', momentum: 0 }, learningRate: 1e-12, checkpointMetric: 'valLoss' }

  it('reduceOnPlateau divides the learning rate after an epoch without improvement', async () => {
    const record = await run(tiny({ ...stuck, epochs: 3, reduceOnPlateau: { factor: 0.5, patience: 1, minLearningRate: 0 } }))
    expect(record.failureReason).toBeNull()
    expect(record.state).toBe('completed')
    expect(record.history.map((epoch) => epoch.learningRate)).toEqual([1e-12, 1e-12, 0.5e-12])
  })

  it('earlyStoppingPatience 1 stops before the last epoch when validation does not improve', async () => {
    const record = await run(tiny({ ...stuck, epochs: 4, earlyStoppingPatience: 1 }))
    expect(record.failureReason).toBeNull()
    expect(record.state).toBe('completed')
    expect(record.history.map((epoch) => epoch.epoch)).toEqual([0, 1])
    expect(record.best?.epoch).toBe(0)
    expect(record.log.some((line) => line.includes('early stopping after epoch 2: no improvement for 1 epochs'))).toBe(true)
  })

  it('estimate returns positive seconds', async () => {
    const estimate = await service.estimate(tiny({ epochs: 2 }) as Parameters<RunsServiceImpl['estimate']>[0])
    expect(estimate.secondsPerStep).toBeGreaterThan(0)
    expect(estimate.totalSeconds).toBeGreaterThan(0)
    expect(estimate.trainingImages).toBe(2 * covid.filter((image) => image.split === 'train').length)
    expect(estimate.backend).toBe('wasm')
  })
})
