import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import {
  BatchNormalization,
  batchNormalization,
  fusedBatchNormAvailable,
} from '../../../src-main/services/engine/layers/batchNormalization'
import { ReLU, reLU, reluGradAvailable } from '../../../src-main/services/engine/layers/reLU'
import { initOneDnnBackend, ONEDNN_BACKEND_NAME } from '../../../src-main/services/engine/onednn/backend'
import { skipWithReason } from '../../helpers/skip'

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

describe("the project's ReLU layer", () => {
  it("saves under tfjs's class name and loads back as itself", async () => {
    await tf.setBackend('cpu')
    const input = tf.input({ shape: [3] })
    const model = tf.model({ inputs: input, outputs: reLU({ name: 'act' }).apply(input) as tf.SymbolicTensor })
    const topology = JSON.stringify(model.toJSON(null, false))
    expect(topology).toContain('"class_name":"ReLU"')
    expect((await roundTrip(model)).getLayer('act')).toBeInstanceOf(ReLU)
  })

  it("is tfjs's layer on a backend without the one-pass gradient, maxValue included", async () => {
    await tf.setBackend('cpu')
    expect(reluGradAvailable()).toBe(false)
    const x = tf.tensor1d([-2, -0, 0, 0.5, 7, Number.NaN])
    for (const args of [{}, { maxValue: 6 }]) {
      const ours = reLU(args).apply(x) as tf.Tensor
      const stock = tf.layers.reLU(args).apply(x) as tf.Tensor
      expect(Array.from(ours.dataSync())).toEqual(Array.from(stock.dataSync()))
    }
  })

  it('on onednn, its one-pass gradient equals tfjs dy·step(x) exactly, NaN and infinities included', async (context) => {
    try {
      await initOneDnnBackend()
    } catch (error) {
      return skipWithReason(context, `the onednn backend cannot run here: ${error instanceof Error ? error.message : String(error)}`)
    }
    const xs = [-3, -0, 0, 1e-30, 2, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]
    const dys = [1, 2, 3, 4, Number.POSITIVE_INFINITY, 6, 7, 8]
    const gradient = async (backend: string) => {
      await tf.setBackend(backend)
      const layer = reLU()
      const dy = tf.tensor1d(dys)
      return Array.from(tf.grad((x: tf.Tensor) => tf.mul(layer.apply(x) as tf.Tensor, dy))(tf.tensor1d(xs)).dataSync())
    }
    const ours = await gradient(ONEDNN_BACKEND_NAME)
    expect(reluGradAvailable()).toBe(true)
    const reference = await gradient('cpu')
    expect(ours).toEqual(reference)
  })
})
