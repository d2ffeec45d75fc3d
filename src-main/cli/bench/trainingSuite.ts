import * as tf from '@tensorflow/tfjs'
import type { Architecture } from '@shared/runs/config'
import { RunConfigSchema } from '@shared/runs/config'
import { classificationLoss } from '../../services/runs/losses'
import { buildClassifier, buildEncoder } from '../../services/runs/models'
import { median, timeRuns, type BenchFigure, type BenchSuite } from './figures'

/** One network's figures on the active backend. */
export interface ArchitectureFigures {
  inferenceImagesPerSecond: number
  trainingImagesPerSecond: number
  /** The most bytes tensors held at once during a training step (weights and optimizer state included). */
  peakStepBytes: number
}

/**
 * Times inference and training steps of a network as runs build it (1-channel input, its default head, SGD with
 * momentum, BCE): the figure a run's own images/s is held against.
 */
export async function measureArchitecture(architecture: Architecture, options: { batch: number; size: number; runs: number; warmup: number }): Promise<ArchitectureFigures> {
  const { batch, size, runs, warmup } = options
  const config = RunConfigSchema.parse({ architecture, compositionId: 'bench', input: { resize: size, crop: size }, seed: 1 })
  const model = buildClassifier(buildEncoder(config), config, 1)
  const optimizer = tf.train.momentum(0.01, 0.9)
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable)
  const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 7)
  const y = tf.tensor1d(Array.from({ length: batch }, (_, index) => index % 2), 'int32')
  try {
    const forward = await timeRuns(async () => {
      const out = model.predict(x) as tf.Tensor
      await out.data()
      out.dispose()
    }, warmup, runs)
    const step = async () => {
      const loss = optimizer.minimize(() => classificationLoss(model.apply(x, { training: true }) as tf.Tensor, y, [1, 1], { kind: 'bce' }), true, variables)
      await loss?.data()
      loss?.dispose()
    }
    const train = await timeRuns(step, warmup, runs)
    const { peakBytes } = await tf.profile(step)
    return { inferenceImagesPerSecond: (batch * 1000) / median(forward), trainingImagesPerSecond: (batch * 1000) / median(train), peakStepBytes: peakBytes }
  } finally {
    x.dispose()
    y.dispose()
    optimizer.dispose()
    model.dispose()
  }
}

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
      const detail = `${backend}, 1×${size}×${size}, batch ${batch}, median of ${runs} after ${warmup} warm-up`
      log(`training: ${architecture} inference and training step on ${backend}…`)
      const measured = await measureArchitecture(architecture, { batch, size, runs, warmup })
      figures.push(
        { suite: 'training', name: `${architecture} inference`, value: measured.inferenceImagesPerSecond, unit: 'images/s', detail },
        { suite: 'training', name: `${architecture} training`, value: measured.trainingImagesPerSecond, unit: 'images/s', detail: `${detail}, SGD momentum 0.9, BCE` },
        { suite: 'training', name: `${architecture} training memory`, value: measured.peakStepBytes / batch / 1e6, unit: 'MB/image', detail: `${backend}, 1×${size}×${size}, batch ${batch}: peak tensor memory of a step ÷ batch` },
      )
    }
    return figures
  },
}
