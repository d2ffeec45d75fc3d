/**
 * COVID-Net through the runs service end to end (in-process, this thread's wasm backend, tiny: width 2 at 32 px):
 * pre-trained on a 3-class pneumonia set then fine-tuned with its own head, its encoder reused by a second run,
 * and the saved classifier explained by Grad-CAM, as the Results page does for the paper's networks.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { initWasmBackend } from '../../../src-main/services/engine/wasm'
import { loadLayersModelFromFolder } from '../../../src-main/services/engine/modelFiles'
import { countTrainableParameters } from '../../../src-main/services/engine/models/classifier'
import { gradCamOfInput } from '../../../src-main/services/evaluation/gradCam'
import { createRunsService, type RunsServiceImpl } from '../../../src-main/services/runs'
import type { RunsLibrary } from '../../../src-main/services/runs/dataPlan'
import { fakeLibrary, tinyRunConfig, writeFixtureImages, type FixtureImage } from './support/fixtures'

const CLASSES = ['NORMAL', 'BACTERIA', 'VIRUS']

let root: string
let images: FixtureImage[]
let service: RunsServiceImpl

/** The fixture library, whose images also serve as a pneumonia set: every image labelled in turn normal, bacterial, viral. */
function libraryWithLabels(): RunsLibrary {
  const library = fakeLibrary(images)
  return {
    ...library,
    async imageRecords({ datasetIds }) {
      if (!datasetIds?.includes('synthetic')) return []
      return images.map((image, index) => ({ imageId: image.imageId, datasetId: 'synthetic', patientId: image.imageId, label: CLASSES[index % 3], contentHash: image.contentHash })) as unknown as Awaited<
        ReturnType<RunsLibrary['imageRecords']>
      >
    },
  }
}

const tinyCovidNet = (overrides: Record<string, unknown> = {}) => tinyRunConfig({ architecture: 'covidnet', baseWidth: 2, headHidden: undefined, epochs: 1, ...overrides })

async function run(config: Record<string, unknown>) {
  return service.waitForRun(await service.start(config as Parameters<RunsServiceImpl['start']>[0]))
}

beforeAll(async () => {
  await initWasmBackend()
  root = mkdtempSync(join(tmpdir(), 'cxr-runs-covidnet-'))
  images = await writeFixtureImages(join(root, 'images'), 24)
  service = createRunsService({ dataFolder: join(root, 'data'), library: libraryWithLabels(), execution: { kind: 'in-process' } })
})
afterAll(async () => {
  await service?.close()
  rmSync(root, { recursive: true, force: true })
})

describe('a COVID-Net run', () => {
  let firstRunId = ''

  it('pre-trains on normal / bacterial / viral, fine-tunes with FC-1024 → FC-256, and saves a classifier', async () => {
    const record = await run(
      tinyCovidNet({ pretraining: { kind: 'train', datasetIds: ['synthetic'], classes: 'three', labelMap: { NORMAL: 'normal', BACTERIA: 'bacteria', VIRUS: 'virus' }, epochs: 1, validationFraction: 0.3 } }),
    )
    expect(record.failureReason).toBeNull()
    expect(record.state).toBe('completed')
    expect(record.config.architecture).toBe('covidnet')
    expect(record.config.headHidden).toEqual([1024, 256])
    expect(record.history.map((epoch) => `${epoch.phase}:${epoch.epoch}`)).toEqual(['pretrain:0', 'finetune:0'])
    expect(record.history.every((epoch) => Number.isFinite(epoch.trainLoss) && Number.isFinite(epoch.valLoss))).toBe(true)

    const model = await loadLayersModelFromFolder(record.modelFolder!)
    try {
      // The saved classifier is COVID-Net: 16 PEPX modules (one depthwise convolution each), then its head.
      expect(model.layers.filter((layer) => layer.getClassName() === 'DepthwiseConv2D')).toHaveLength(16)
      expect(model.layers.filter((layer) => layer.name.startsWith('head_')).map((layer) => layer.getConfig().units)).toEqual([1024, 256, 1])
      expect(record.provenance?.parameters).toBe(countTrainableParameters(model))

      // Grad-CAM finds the last feature map behind the global average pooling and gives a map in [0, 1].
      const before = tf.memory().numTensors
      const cam = await gradCamOfInput(model, new Float32Array(32 * 32).fill(0.5), 32)
      expect(cam.map).toHaveLength(32 * 32)
      expect(Math.max(...cam.map)).toBeLessThanOrEqual(1)
      expect(cam.probability).toBeGreaterThan(0)
      expect(cam.probability).toBeLessThan(1)
      expect(tf.memory().numTensors).toBe(before)
    } finally {
      model.dispose()
    }

    const predictions = await service.predict({ runId: record.id, imagePaths: [images[0].path] })
    expect(predictions[0].probability).toBeGreaterThan(0)
    firstRunId = record.id
  })

  it('hands its encoder to a second run, which fine-tunes it', async () => {
    expect(firstRunId).not.toBe('')
    const record = await run(tinyCovidNet({ pretraining: { kind: 'run', runId: firstRunId } }))
    expect(record.failureReason).toBeNull()
    expect(record.state).toBe('completed')
    expect(record.provenance?.encoderFromRunId).toBe(firstRunId)
    expect(record.history.map((epoch) => epoch.phase)).toEqual(['finetune'])
  })
})
