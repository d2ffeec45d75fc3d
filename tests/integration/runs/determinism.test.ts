/**
 * The same configuration and seed give the same model, bit for bit, on one backend and thread count: two
 * uninterrupted runs, a run cancelled mid-epoch and resumed, and a run whose worker was killed (as a crash or a
 * closed laptop lid would) and resumed. Weights files are compared byte for byte and predictions number for
 * number. Adam with weight decay and augmentation exercises every piece of state a resume must restore
 * (moments and step count, batch-norm statistics, data order, augmentation draws, plateau and best-epoch state).
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadOneDnnAddon } from '../../../src-main/services/engine/onednn/addon'
import { createRunsService } from '../../../src-main/services/runs'
import { skipWithReason } from '../../helpers/skip'
import { fakeLibrary, tinyRunConfig, tsWorkerEntry, writeFixtureImages, type FixtureImage } from './support/fixtures'

let root: string
let images: FixtureImage[]
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cxr-determinism-'))
  images = await writeFixtureImages(join(root, 'images'), 24)
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

type Interruption = 'none' | 'cancel' | 'kill'

// Seed 0, the default: TensorFlow.js reads a seed of 0 as "no seed", which once made every default run differ.
const config = tinyRunConfig({
  seed: 0,
  epochs: 3,
  checkpointEverySteps: 1,
  weightDecay: 1e-3,
  reduceOnPlateau: { factor: 0.5, patience: 1 },
  augmentation: { horizontalFlip: true, affine: { rotateDegrees: 5, translate: 0.05, scale: 0.05 } },
})

/** Trains one run in a worker in its own data folder, interrupting it in epoch 2 as asked; its weights' hash and predictions. */
async function train(backend: 'wasm' | 'onednn', folder: string, interruption: Interruption) {
  const service = createRunsService({ dataFolder: join(root, folder), library: fakeLibrary(images), execution: { kind: 'worker', entry: tsWorkerEntry() }, backend: () => ({ preference: backend, source: 'setting' }) })
  try {
    const { runId } = await service.start(config)
    if (interruption !== 'none') {
      const stopped = new Promise<void>((resolve) => {
        const stop = service.onDidProgress(({ progress }) => {
          if (progress.phase === 'finetune' && progress.epoch === 1 && progress.step === 2) {
            stop()
            void (interruption === 'cancel' ? service.cancel({ runId }) : service.terminateActive()).then(() => resolve())
          }
        })
      })
      await stopped
      const halted = await service.waitForRun({ runId })
      expect(halted.state).toBe(interruption === 'cancel' ? 'cancelled' : 'failed')
      await service.resume({ runId })
    }
    const record = await service.waitForRun({ runId })
    expect(record.failureReason).toBeNull()
    expect(record.state).toBe('completed')
    expect(record.provenance?.determinism).toMatchObject({ level: 'bit-exact', backend })
    // The kept model is the best epoch's, which may predate the interruption: the last epoch's weights show the whole run.
    const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')
    const weights = `${digest(join(record.modelFolder!, 'weights.bin'))} ${digest(join(service.runFolder(runId), 'checkpoints', 'finetune', 'last', 'weights.bin'))}`
    const predictions = (await service.predict({ runId, imagePaths: images.slice(0, 6).map((image) => image.path) })).map((row) => row.probability)
    return { weights, predictions, history: record.history }
  } finally {
    await service.close()
  }
}

describe('the same configuration and seed give the same model', () => {
  for (const backend of ['wasm', 'onednn'] as const) {
    it(`on ${backend}: twice uninterrupted, cancelled and resumed, killed and resumed`, async (context) => {
      if (backend === 'onednn') {
        try {
          loadOneDnnAddon()
        } catch (error) {
          return skipWithReason(context, `the onednn backend cannot run here: ${(error as Error).message}`)
        }
      }
      const first = await train(backend, `${backend}-a`, 'none')
      for (const [folder, interruption] of [[`${backend}-b`, 'none'], [`${backend}-c`, 'cancel'], [`${backend}-d`, 'kill']] as const) {
        const again = await train(backend, folder, interruption)
        expect(again.weights, `${interruption}: weights`).toBe(first.weights)
        expect(again.predictions, `${interruption}: predictions`).toEqual(first.predictions)
        expect(again.history.map((epoch) => [epoch.trainLoss, epoch.trainPenalty, epoch.valLoss, epoch.valAuc, epoch.learningRate]), `${interruption}: curves`).toEqual(
          first.history.map((epoch) => [epoch.trainLoss, epoch.trainPenalty, epoch.valLoss, epoch.valAuc, epoch.learningRate]),
        )
      }
      expect(first.history.some((epoch) => epoch.trainPenalty > 0)).toBe(true)
    }, 180_000)
  }
})
