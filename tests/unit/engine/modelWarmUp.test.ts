/**
 * Models loaded to predict are warmed up by one blank prediction: the loaded model predicts exactly as one loaded
 * plainly, and the warm-up leaves no tensor behind.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadLayersModelFromFolder, loadModelForPrediction, saveLayersModel, warmUpModel } from '../../../src-main/services/engine/modelFiles'

let folder: string
beforeAll(async () => {
  await tf.setBackend('cpu')
  folder = mkdtempSync(join(tmpdir(), 'cxr-warm-up-'))
  const input = tf.input({ shape: [8, 8, 1] })
  const features = tf.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor
  const output = tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(tf.layers.flatten().apply(features)) as tf.SymbolicTensor
  const model = tf.model({ inputs: input, outputs: output })
  await saveLayersModel(model, folder)
  model.dispose()
})
afterAll(() => rmSync(folder, { recursive: true, force: true }))

describe('warm-up at load', () => {
  it('predicts as a plainly loaded model does', async () => {
    const x = tf.randomUniform([3, 8, 8, 1], 0, 1, 'float32', 4)
    const plain = await loadLayersModelFromFolder(folder)
    const warmed = await loadModelForPrediction(folder, 2)
    const expected = await (plain.predict(x) as tf.Tensor).data()
    const actual = await (warmed.predict(x) as tf.Tensor).data()
    expect(Array.from(actual)).toEqual(Array.from(expected))
    plain.dispose()
    warmed.dispose()
    x.dispose()
  })

  it('leaves no tensor behind', async () => {
    const model = await loadLayersModelFromFolder(folder)
    const before = tf.memory().numTensors
    await warmUpModel(model, 4)
    expect(tf.memory().numTensors).toBe(before)
    model.dispose()
  })
})
