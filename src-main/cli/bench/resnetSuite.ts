import * as tf from '@tensorflow/tfjs'
import { attachHead } from '../../services/engine/models/classifier'
import { buildResNetEncoder } from '../../services/engine/models/resnet'
import { median, timeRuns, type BenchSuite } from './figures'

/**
 * ResNet-18 with a 1-channel input and a sigmoid output, as the paper's classifier: forward pass and one training
 * step (SGD with momentum, binary cross-entropy) per image on the active backend.
 */
export const resnetSuite: BenchSuite = {
  name: 'engine',
  describe: 'ResNet-18 forward and training step',
  async run({ batch, size, runs, warmup, log }) {
    const backend = tf.getBackend()
    const model = attachHead(buildResNetEncoder({ depth: 18, inputShape: [size, size, 1], seed: 1 }), { units: 1, seed: 1 })
    model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'binaryCrossentropy' })
    const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 7)
    const y = tf.tensor2d(Array.from({ length: batch }, (_, i) => i % 2), [batch, 1])
    const detail = `${backend}, 1×${size}×${size}, batch ${batch}, median of ${runs} after ${warmup} warm-up`
    try {
      log(`engine: ResNet-18 forward on ${backend}…`)
      const forward = await timeRuns(async () => {
        const out = model.predict(x) as tf.Tensor
        await out.data()
        out.dispose()
      }, warmup, runs)
      log(`engine: ResNet-18 training step on ${backend}…`)
      const train = await timeRuns(async () => {
        await model.trainOnBatch(x, y)
      }, warmup, runs)
      return [
        { suite: 'engine', name: 'resnet18 forward', value: median(forward) / batch, unit: 'ms/image', detail },
        { suite: 'engine', name: 'resnet18 train step', value: median(train) / batch, unit: 'ms/image', detail: `${detail}, SGD momentum 0.9, BCE` },
      ]
    } finally {
      x.dispose()
      y.dispose()
      model.dispose()
    }
  },
}
