import { existsSync } from 'node:fs'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { PresentationSource } from '@shared/imaging/presentation'
import { createRandom } from '@shared/metrics/random'
import { loadLungModel } from '../../services/lung/model/lungModel'
import { defaultLungModelDir } from '../../services/lung/model/shippedModel'
import { diceBceLoss } from '../../services/lung/model/loss'
import { segmentImage } from '../../services/lung/model/segmentImage'
import { LUNG_TRAINING_DEFAULTS } from '../../services/lung/training/trainLungModel'
import { buildUNet } from '../../services/lung/model/unet'
import { median, timeRuns, type BenchFigure, type BenchSuite } from './figures'

const SUITE = 'segmentation'

/** Side of the synthetic radiograph segmented end to end: the shared data's images are at most 1024 px. */
const RADIOGRAPH_SIDE = 1024

/**
 * The lung U-Net at the shipped model's settings (input size, depth, filters and batch of `cxr train-lungs`,
 * whatever --size/--batch say, since those are the ResNet suite's): network forward per image, `segmentImage`
 * end to end on a 1024 px radiograph (equalize, resize, predict, map back, post-process, blur), and one
 * training step (Adam, Dice + BCE). Uses the shipped weights when present; an untrained U-Net of the same
 * architecture in the same inference form (batch norms folded, ReLUs fused, as `cxr train-lungs` saves it)
 * costs the same.
 */
export const segmentationSuite: BenchSuite = {
  name: SUITE,
  describe: 'lung U-Net: forward, segmentImage on a 1024 px radiograph, training step',
  async run({ runs, warmup, log }) {
    const backend = tf.getBackend()
    const shippedDir = defaultLungModelDir()
    const shipped = existsSync(join(shippedDir, 'model.json')) ? await loadLungModel(shippedDir) : undefined
    // The shipped model's own architecture when there is one (its card), else the settings that would build it.
    const { inputSize: size, depth, baseFilters } = shipped?.card.architecture ?? LUNG_TRAINING_DEFAULTS
    const { batchSize } = LUNG_TRAINING_DEFAULTS
    const model = shipped?.model ?? buildUNet({ inputSize: size, depth, baseFilters, seed: 1, fused: true })
    const weights = shipped ? 'shipped weights' : 'untrained (no shipped model)'
    const architecture = `U-Net depth ${depth}, ${baseFilters} filters, ${size}×${size}`
    const detail = `${backend}, ${architecture}, median of ${runs} after ${warmup} warm-up`
    const radiograph = syntheticRadiograph(RADIOGRAPH_SIDE)
    const single = tf.randomUniform([1, size, size, 1], 0, 1, 'float32', 7)
    try {
      log(`${SUITE}: forward on ${backend}…`)
      const forward = await timeRuns(async () => {
        const output = model.predict(single) as tf.Tensor
        await output.data()
        output.dispose()
      }, warmup, runs)
      log(`${SUITE}: segmentImage on a ${RADIOGRAPH_SIDE}×${RADIOGRAPH_SIDE} radiograph…`)
      const endToEnd = await timeRuns(async () => {
        await segmentImage(model, radiograph)
      }, warmup, runs)
      log(`${SUITE}: training step, batch ${batchSize}…`)
      const step = await timeTrainingStep(size, depth, baseFilters, batchSize, warmup, runs)
      return [
        { suite: SUITE, name: 'unet forward', value: median(forward), unit: 'ms/image', detail: `${detail}, batch 1` },
        { suite: SUITE, name: 'segmentImage 1024 px', value: median(endToEnd), unit: 'ms/image', detail: `${detail}, ${weights}, incl. equalize, resize, post-process, blur` },
        { suite: SUITE, name: 'unet train step', value: median(step), unit: 'ms/step', detail: `${detail}, batch ${batchSize}, Adam, Dice + BCE` },
        { suite: SUITE, name: 'unet train step', value: median(step) / batchSize, unit: 'ms/image', detail: `${detail}, batch ${batchSize}, Adam, Dice + BCE` },
      ]
    } finally {
      single.dispose()
      model.dispose()
    }
  },
}

/** Times one training step on a fresh model, so the shipped weights are never touched. */
async function timeTrainingStep(size: number, depth: number, baseFilters: number, batchSize: number, warmup: number, runs: number): Promise<number[]> {
  const model = buildUNet({ inputSize: size, depth, baseFilters, seed: 2 })
  const optimizer = tf.train.adam(1e-3)
  model.compile({ optimizer, loss: diceBceLoss })
  const x = tf.randomUniform([batchSize, size, size, 1], 0, 1, 'float32', 3)
  const y = tf.tidy(() => tf.randomUniform([batchSize, size, size, 1], 0, 1, 'float32', 4).round())
  try {
    return await timeRuns(async () => {
      await model.trainOnBatch(x, y)
    }, warmup, runs)
  } finally {
    tf.dispose([x, y])
    optimizer.dispose()
    model.dispose()
  }
}

/** A 12-bit radiograph-like image (two dark lung fields in a brighter chest), so post-processing has real work. */
function syntheticRadiograph(side: number): PresentationSource {
  const random = createRandom(1)
  const pixels = new Float32Array(side * side)
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const lung = [0.3, 0.7].some((cx) => ((x / side - cx) / 0.15) ** 2 + ((y / side - 0.5) / 0.3) ** 2 <= 1)
      pixels[y * side + x] = Math.round((lung ? 900 : 2800) + random() * 300)
    }
  }
  return { width: side, height: side, pixels, invert: false, pixelRange: { min: 900, max: 3100 } }
}
