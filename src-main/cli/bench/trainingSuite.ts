import * as tf from '@tensorflow/tfjs'
import type { Architecture } from '@shared/runs/config'
import { RunConfigSchema } from '@shared/runs/config'
import { classificationLoss } from '../../services/runs/losses'
import { buildClassifier, buildEncoder } from '../../services/runs/models'
import { median, timeRuns, type BenchFigure, type BenchSuite } from './figures'

/**
 * Training and inference images per second of the paper's networks and COVID-Net (1-channel input, each network's
 * default head, SGD with momentum, BCE) on the active backend, through the runs' own model builders and loss.
 * ResNet-50 is slow on wasm (seconds per image for training): set CXR_BENCH_ARCHITECTURES=conv8,resnet18 to skip
 * it. COVID-Net's own input is 480 px: `--size 480 --batch 2` with CXR_BENCH_ARCHITECTURES=resnet18,covidnet times
 * it there beside ResNet-18 (a COVID-Net training step holds ≈ 2 GB per image of the batch at 480 px: see the
 * suite's "training memory" figures).
 */
export const trainingSuite: BenchSuite = {
  name: 'training',
  describe: 'training and inference images/s per architecture',
  async run({ batch, size, runs, warmup, log }) {
    const backend = tf.getBackend()
    const architectures = (process.env.CXR_BENCH_ARCHITECTURES ?? 'conv8,resnet18,resnet50,covidnet').split(',').map((name) => name.trim()) as Architecture[]
    const figures: BenchFigure[] = []
    for (const architecture of architectures) {
      const config = RunConfigSchema.parse({ architecture, compositionId: 'bench', input: { resize: size, crop: size }, seed: 1 })
      const model = buildClassifier(buildEncoder(config), config, 1)
      const optimizer = tf.train.momentum(0.01, 0.9)
      const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable)
      const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 7)
      const y = tf.tensor1d(Array.from({ length: batch }, (_, index) => index % 2), 'int32')
      const detail = `${backend}, 1×${size}×${size}, batch ${batch}, median of ${runs} after ${warmup} warm-up`
      try {
        log(`training: ${architecture} inference on ${backend}…`)
        const forward = await timeRuns(async () => {
          const out = model.predict(x) as tf.Tensor
          await out.data()
          out.dispose()
        }, warmup, runs)
        log(`training: ${architecture} training step on ${backend}…`)
        const step = async () => {
          const loss = optimizer.minimize(() => classificationLoss(model.apply(x, { training: true }) as tf.Tensor, y, [1, 1], { kind: 'bce' }), true, variables)
          await loss?.data()
          loss?.dispose()
        }
        const train = await timeRuns(step, warmup, runs)
        // One more step, profiled: the most memory tensors held at once (weights and optimizer state included).
        const { peakBytes } = await tf.profile(step)
        figures.push(
          { suite: 'training', name: `${architecture} inference`, value: (batch * 1000) / median(forward), unit: 'images/s', detail },
          { suite: 'training', name: `${architecture} training`, value: (batch * 1000) / median(train), unit: 'images/s', detail: `${detail}, SGD momentum 0.9, BCE` },
          { suite: 'training', name: `${architecture} training memory`, value: peakBytes / batch / 1e6, unit: 'MB/image', detail: `${backend}, 1×${size}×${size}, batch ${batch}: peak tensor memory of a step ÷ batch` },
        )
      } finally {
        x.dispose()
        y.dispose()
        optimizer.dispose()
        model.dispose()
      }
    }
    return figures
  },
}
