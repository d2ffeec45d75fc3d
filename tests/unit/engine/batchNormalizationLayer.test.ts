import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import {
  BatchNormalization,
  batchNormalization,
  fusedBatchNormAvailable,
} from '../../../src-main/services/engine/layers/batchNormalization'

async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    }),
  )
  return tf.loadLayersModel(tf.io.fromMemory(artifacts!))
}

describe("the project's BatchNormalization layer", () => {
  it("saves under tfjs's class name, so models stay loadable by plain tfjs, and loads back as itself", async () => {
    await tf.setBackend('cpu')
    const input = tf.input({ shape: [4, 4, 2] })
    const model = tf.model({ inputs: input, outputs: batchNormalization({ name: 'bn', momentum: 0.9 }).apply(input) as tf.SymbolicTensor })
    const topology = JSON.stringify(model.toJSON(null, false))
    expect(topology).toContain('"class_name":"BatchNormalization"')
    expect(topology).not.toContain('Custom>')
    const loaded = await roundTrip(model)
    expect(loaded.getLayer('bn')).toBeInstanceOf(BatchNormalization)
    expect(loaded.getLayer('bn').getConfig()).toEqual(model.getLayer('bn').getConfig())
  })

  it("is tfjs's layer, result for result, on a backend without the fused kernels", async () => {
    await tf.setBackend('cpu')
    expect(fusedBatchNormAvailable()).toBe(false)
    const x = tf.tensor4d(Array.from({ length: 2 * 3 * 3 * 2 }, (_, i) => Math.sin(i)), [2, 3, 3, 2])
    const ours = batchNormalization({ momentum: 0.8, epsilon: 1e-5 })
    const stock = tf.layers.batchNormalization({ momentum: 0.8, epsilon: 1e-5 })
    const a = ours.apply(x, { training: true }) as tf.Tensor
    const b = stock.apply(x, { training: true }) as tf.Tensor
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()))
    const movingOurs = ours.getWeights().map((w) => Array.from(w.dataSync()))
    const movingStock = stock.getWeights().map((w) => Array.from(w.dataSync()))
    expect(movingOurs).toEqual(movingStock)
  })
})
