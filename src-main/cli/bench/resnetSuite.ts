import * as tf from '@tensorflow/tfjs'
import { attachHead } from '../../services/engine/models/classifier'
import { buildResNetEncoder } from '../../services/engine/models/resnet'
import { median, timeRuns, type BenchFigure, type BenchSuite } from './figures'
import { availableParallelism } from 'node:os'
import { loadOneDnnAddon } from '../../services/engine/onednn/addon'
import { ONEDNN_BACKEND_NAME } from '../../services/engine/onednn/kernelUtils'
import { runPytorchPeer } from './pytorchPeer'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadModelForPrediction, saveLayersModel } from '../../services/engine/modelFiles'

/** Threads our backend computes with: the peer gets the same number, so the ratio compares like with like. */
function backendThreads(backend: string): number {
  if (backend === ONEDNN_BACKEND_NAME) return loadOneDnnAddon().info().threads
  // wasm and cpu compute on one thread in Node; the peer still gets the machine's cores, as a user would run it.
  return availableParallelism()
}

/**
 * ResNet-18 with a 1-channel input and a sigmoid output, as the paper's classifier: forward pass and one training
 * step (SGD with momentum, binary cross-entropy) per image on the active backend.
 */
export const resnetSuite: BenchSuite = {
  name: 'engine',
  describe: 'ResNet-18 forward and training step',
  async run({ batch, size, runs, warmup, peer: withPeer = true, log }) {
    const backend = tf.getBackend()
    const model = attachHead(buildResNetEncoder({ depth: 18, inputShape: [size, size, 1], seed: 1 }), { units: 1, seed: 1 })
    model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'binaryCrossentropy' })
    const x = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 7)
    const y = tf.tensor2d(Array.from({ length: batch }, (_, i) => i % 2), [batch, 1])
    const threads = backendThreads(backend)
    const detail = `${backend}${backend === ONEDNN_BACKEND_NAME ? ` (${threads} threads)` : ''}, 1×${size}×${size}, batch ${batch}, median of ${runs} after ${warmup} warm-up`
    try {
      // First, while nothing has run on this thread yet: a saved model loaded as the app loads one to predict.
      log(`engine: ResNet-18 first prediction after loading, on ${backend}…`)
      const first = await firstPrediction(model, size, runs)
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
      const ours = { forward: median(forward) / batch, train: median(train) / batch }
      const figures: BenchFigure[] = [
        { suite: 'engine', name: 'resnet18 first prediction after load', value: first.firstMs, unit: 'ms', detail: `one image, the first call after loading a saved model (load ${first.loadMs.toFixed(0)} ms, warm-up included); steady ${first.steadyMs.toFixed(0)} ms (median of ${runs})` },
        { suite: 'engine', name: 'first ÷ steady prediction', value: first.firstMs / first.steadyMs, unit: '×', detail: 'goal ≤ 2' },
        { suite: 'engine', name: 'resnet18 forward', value: ours.forward, unit: 'ms/image', detail },
        { suite: 'engine', name: 'resnet18 train step', value: ours.train, unit: 'ms/image', detail: `${detail}, SGD momentum 0.9, BCE` },
      ]
      // The reference implementation on the same CPU, same network and batch: the speed goal is a ratio to it.
      if (!withPeer) return figures
      log('engine: the PyTorch peer (tests/bench/pytorch_resnet18.py)…')
      const peer = await runPytorchPeer({ batch, size, runs, warmup, threads })
      if (!peer.ok) {
        figures.push({ suite: 'engine', name: 'pytorch peer', value: Number.NaN, unit: '', detail: peer.reason })
      } else {
        const peerDetail = `PyTorch ${peer.torch}, ${peer.threads} threads, same network, batch and timing`
        figures.push(
          { suite: 'engine', name: 'pytorch resnet18 forward', value: peer.forwardMsPerImage, unit: 'ms/image', detail: peerDetail },
          { suite: 'engine', name: 'pytorch resnet18 train step', value: peer.trainStepMsPerImage, unit: 'ms/image', detail: peerDetail },
          { suite: 'engine', name: 'forward ratio (ours / pytorch)', value: ours.forward / peer.forwardMsPerImage, unit: '×', detail: 'goal ≤ 1.0' },
          { suite: 'engine', name: 'train step ratio (ours / pytorch)', value: ours.train / peer.trainStepMsPerImage, unit: '×', detail: 'goal ≤ 1.5' },
        )
      }
      return figures
    } finally {
      x.dispose()
      y.dispose()
      model.dispose()
    }
  },
}

/** Saves `model`, loads it back as the app does before predicting, and times its first and later one-image predictions. */
async function firstPrediction(model: tf.LayersModel, size: number, runs: number): Promise<{ loadMs: number; firstMs: number; steadyMs: number }> {
  const folder = mkdtempSync(join(tmpdir(), 'cxr-bench-first-'))
  const x = tf.randomUniform([1, size, size, 1], 0, 1, 'float32', 3)
  try {
    await saveLayersModel(model, folder)
    const began = performance.now()
    const loaded = await loadModelForPrediction(folder, 1)
    const loadMs = performance.now() - began
    try {
      const times = await timeRuns(async () => {
        const out = loaded.predict(x) as tf.Tensor
        await out.data()
        out.dispose()
      }, 0, runs + 1)
      return { loadMs, firstMs: times[0], steadyMs: median(times.slice(1)) }
    } finally {
      loaded.dispose()
    }
  } finally {
    x.dispose()
    rmSync(folder, { recursive: true, force: true })
  }
}
