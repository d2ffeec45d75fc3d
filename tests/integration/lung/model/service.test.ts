import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { benchSuites } from '../../../../src-main/cli/commands/bench'
import { segmentationSuite } from '../../../../src-main/cli/bench/segmentationSuite'
import { initWasmBackend } from '../../../../src-main/services/engine/wasm'
import { decodeImageFile } from '../../../../src-main/services/imaging/index'
import { encodeGreyPng } from '../../../../src-main/services/imaging/export/png'
import { saveLayersModel } from '../../../../src-main/services/engine/modelFiles'
import { loadLungModel, segmentLungs } from '../../../../src-main/services/lung/model/lungModel'
import { buildUNet } from '../../../../src-main/services/lung/model/unet'
import { writeTestCard } from './syntheticBlobs'

beforeAll(async () => {
  await initWasmBackend()
})

describe('loadLungModel and segmentLungs', () => {
  it('load a model folder by content, refuse a changed one, and segment at the image size leaving no tensor', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cxr-lung-model-'))
    const imagePath = join(folder, 'image.png')
    writeFileSync(imagePath, await encodeGreyPng(Uint8Array.from({ length: 40 * 30 }, (_, index) => index % 251), 40, 30))
    const modelDir = join(folder, 'model')
    await expect(loadLungModel(modelDir)).rejects.toThrow(/model\.json and model-card\.json are missing/)

    const model = buildUNet({ inputSize: 16, depth: 2, baseFilters: 2, seed: 1 })
    await saveLayersModel(model, modelDir)
    model.dispose()
    writeTestCard(modelDir, 16)
    const lung = await loadLungModel(modelDir)
    expect(lung.card.architecture.inputSize).toBe(16)
    expect(lung.modelId).toMatch(/^lung-[0-9a-f]{16}$/)
    await expect(loadLungModel(modelDir, 'lung-0000000000000000')).rejects.toThrow(/has changed/)
    const before = tf.memory().numTensors
    const result = await segmentLungs(lung, await decodeImageFile(imagePath))
    expect(tf.memory().numTensors).toBe(before)
    expect([result.mask.width, result.mask.height]).toEqual([40, 30])
    lung.model.dispose()
  })
})

describe('segmentation bench suite', () => {
  it('is registered and reports forward, end-to-end and training-step figures', async () => {
    expect(benchSuites.map((suite) => suite.name)).toContain('segmentation')
    const figures = await segmentationSuite.run({ batch: 8, size: 224, runs: 1, warmup: 0, log: () => {} })
    expect(figures.map((figure) => `${figure.name} [${figure.unit}]`)).toEqual([
      'unet forward [ms/image]',
      'segmentImage 1024 px [ms/image]',
      'unet train step [ms/step]',
      'unet train step [ms/image]',
    ])
    expect(figures.every((figure) => figure.value > 0 && figure.suite === 'segmentation')).toBe(true)
  })
})
