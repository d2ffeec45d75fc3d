import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { initWasmBackend } from '../../../../src-main/services/engine/wasm'
import { loadLungModel } from '../../../../src-main/services/lung/model/lungModel'
import { loadLayersModelFromFolder, saveLayersModel } from '../../../../src-main/services/engine/modelFiles'
import { trainSegmentationModel } from '../../../../src-main/services/lung/training/trainSegmentation'
import { buildUNet } from '../../../../src-main/services/lung/model/unet'
import { syntheticBlobs, writeTestCard } from './syntheticBlobs'

beforeAll(async () => {
  await initWasmBackend()
})

describe('model files', () => {
  it('save → load gives identical predictions, including batch-norm statistics after training', async () => {
    const model = buildUNet({ inputSize: 32, depth: 2, baseFilters: 4, seed: 11 })
    // Train a little so the batch-norm moving statistics are no longer their initial 0/1.
    await trainSegmentationModel(model, { train: syntheticBlobs(4, 32, 1), validation: syntheticBlobs(2, 32, 2) }, { epochs: 1, seed: 1 })
    const folder = mkdtempSync(join(tmpdir(), 'cxr-unet-'))
    const saved = await saveLayersModel(model, folder)
    expect(saved.weightsSha256).toBe(createHash('sha256').update(readFileSync(join(folder, 'weights.bin'))).digest('hex'))
    // countParams includes batch norm's moving statistics, which are saved too: 4 bytes per float32.
    expect(saved.weightsBytes).toBe(model.countParams() * 4)
    const manifest = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'))
    expect(manifest.weightsManifest[0].paths).toEqual(['weights.bin'])
    expect(manifest.trainingConfig).toBeUndefined()

    const loaded = await loadLayersModelFromFolder(folder)
    const input = tf.randomUniform([2, 32, 32, 1], 0, 1, 'float32', 5)
    const expected = tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync())
    const actual = tf.tidy(() => (loaded.predict(input) as tf.Tensor).dataSync())
    expect(Array.from(actual)).toEqual(Array.from(expected))
    input.dispose()
    model.dispose()
    loaded.dispose()
  })

  it('loadLungModel needs the card and names what is missing', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cxr-unet-'))
    await expect(loadLungModel(folder)).rejects.toThrow(/model\.json and model-card\.json are missing/)
    const model = buildUNet({ inputSize: 16, depth: 2, baseFilters: 2, seed: 1 })
    await saveLayersModel(model, folder)
    model.dispose()
    await expect(loadLungModel(folder)).rejects.toThrow(/model-card\.json is missing/)
    writeFileSync(join(folder, 'model-card.json'), JSON.stringify({ format: 'something else' }))
    await expect(loadLungModel(folder)).rejects.toThrow(/not a lung model card/)
    writeTestCard(folder, 16)
    const lung = await loadLungModel(folder)
    expect(lung.card.preprocessing.resizeMode).toBe('stretch')
    expect(lung.model.inputs[0].shape).toEqual([null, 16, 16, 1])
    lung.model.dispose()
  })
})

