/**
 * A model built twice from one seed starts from the same weights for every seed, 0 (the runs' default) and negative
 * seeds included: TensorFlow.js reads a seed of 0 as "no seed" in its normal draws, which once made every seed-0
 * run start from fresh random weights. Neighbouring seeds must also start independently (no layer of seed s + 1
 * replaying a layer of seed s).
 */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { attachHead } from '../../../src-main/services/engine/models/classifier'
import { buildConv8Encoder } from '../../../src-main/services/engine/models/conv8'
import { buildCovidNetEncoder } from '../../../src-main/services/engine/models/covidNet'
import { initializerSeeds } from '../../../src-main/services/engine/models/initializerSeeds'
import { buildResNetEncoder } from '../../../src-main/services/engine/models/resnet'
import { buildUNet } from '../../../src-main/services/lung/model/unet'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const builders: Record<string, (seed: number) => tf.LayersModel> = {
  'ResNet-18 with its head': (seed) => attachHead(buildResNetEncoder({ depth: 18, inputShape: [32, 32, 1], baseWidth: 4, seed }), { hidden: [16], units: 1, seed }),
  'Conv8 with its head': (seed) => attachHead(buildConv8Encoder({ inputShape: [32, 32, 1], baseWidth: 4, seed }), { hidden: [16], units: 3, seed }),
  'COVID-Net': (seed) => buildCovidNetEncoder({ inputShape: [32, 32, 1], baseWidth: 4, seed }),
  'lung U-Net': (seed) => buildUNet({ inputSize: 16, depth: 2, baseFilters: 4, seed }),
}

/** Every kernel of a model, by layer weight name. */
function kernels(model: tf.LayersModel): Map<string, Float32Array> {
  const found = new Map<string, Float32Array>()
  for (const weight of model.weights) if (/kernel/.test(weight.originalName)) found.set(weight.originalName, weight.read().dataSync() as Float32Array)
  return found
}

/** The signs of a kernel's first 32 values: two kernels drawn from one stream share it, independent ones almost never. */
function signature(values: Float32Array): string {
  return Array.from(values.subarray(0, 32), (value) => (value > 0 ? '+' : '-')).join('')
}

describe('initialiser seeds', () => {
  it('are never 0 and differ between layers, streams and seeds', () => {
    const seen = new Set<number>()
    for (const seed of [-3, -1, 0, 1, 2]) {
      for (const stream of ['encoder', 'head-1']) {
        const next = initializerSeeds(seed, stream)
        for (let layer = 0; layer < 50; layer++) {
          const value = next()!
          expect(Number.isInteger(value) && value >= 1 && value <= 2_147_483_647).toBe(true)
          seen.add(value)
        }
      }
    }
    expect(seen.size).toBe(5 * 2 * 50)
    expect(initializerSeeds(undefined, 'encoder')()).toBeUndefined()
  })

  for (const [name, build] of Object.entries(builders)) {
    it(`${name}: one seed (0 and −1 included) gives the same weights twice; seeds 0 and 1 share no layer`, () => {
      for (const seed of [0, -1, 7]) {
        const [first, second] = [build(seed), build(seed)]
        const [a, b] = [kernels(first), kernels(second)]
        expect(a.size).toBeGreaterThan(1)
        for (const [layer, values] of a) expect(Array.from(b.get(layer)!), `${name}, seed ${seed}, ${layer}`).toEqual(Array.from(values))
        first.dispose()
        second.dispose()
      }
      const [zero, one] = [build(0), build(1)]
      const signaturesOfZero = new Set([...kernels(zero).values()].filter((values) => values.length >= 32).map(signature))
      for (const [layer, values] of kernels(one)) {
        if (values.length >= 32) expect(signaturesOfZero.has(signature(values)), `${name}: seed 1's ${layer} replays a layer of seed 0`).toBe(false)
      }
      zero.dispose()
      one.dispose()
    })
  }
})
