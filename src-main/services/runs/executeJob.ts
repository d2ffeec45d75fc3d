import { mkdir, writeFile, readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { RunConfig } from '@shared/runs/config'
import { RunConfigSchema } from '@shared/runs/config'
import type { EpochMetrics, Provenance, RunProgress } from '@shared/runs/record'
import type { Prediction, RunEstimate } from '@shared/runs/service'
import { determinismOf } from '@shared/runs/determinism'
import type { EngineReport } from '@shared/system/engineTypes'
import { countTrainableParameters } from '../engine/models/classifier'
import { loadLayersModelFromFolder, saveLayersModel } from '../engine/modelFiles'
import { createInputPipeline, createLungMasker, inputCacheLayout, inputSettingsKey, memoryInputSet, prepareImages, type InputSet, type InputSettings, type PrepareChunk, type PrepareInputsEvent, type PrepareInputsJob } from '../inputs'
import { hashFile } from '../library/hashing'
import { hasCheckpoint, loadOptimizer, loadWeightsInto, readCheckpointState, saveCheckpoint } from '../engine/training/checkpoints'
import type { DataPlan, PlannedImage } from './dataPlan'
import { buildClassifier, buildEncoder } from './models'
import { planInputSets, type PlanInputs, type RunInputs } from './planInputs'
import type { EstimateJob, PredictJob, RecordPatch, TrainJob } from './protocol'
import { stepsPerEpoch } from './random'
import { RunFailure } from './runFailure'
import {
  createOptimizer,
  initialLoopState,
  predictProbabilities,
  resolveClassWeights,
  runTrainingLoop,
  type LoopHooks,
  type LoopState,
  type PhaseSettings,
} from './trainLoop'

/** What a job reports, and how it is stopped: the worker wires these to messages, in-process callers to functions. */
export interface JobIo {
  log(line: string): void
  progress(progress: RunProgress): void
  epoch(metrics: EpochMetrics): void
  patch(patch: RecordPatch): void
  /** Each step's item indices (tests compare batch sequences across a resume). */
  batch?(phase: string, epoch: number, step: number, indices: readonly number[]): void
  shouldStop(): boolean
  /** The engine this job runs on (its backend and threads go into the provenance). */
  engine: Pick<EngineReport, 'active' | 'onednn' | 'wasm'>
  /**
   * Prepares one lane of inputs in a helper worker (the app); absent: on this thread. Resolves once the lane is done;
   * rejects with its failure.
   */
  prepareInputs?(job: PrepareInputsJob, onEvent: (event: PrepareInputsEvent) => void): Promise<void>
}

/** Identifies a model folder as a COVID classifier written by a run. */
export const MODEL_CARD_FORMAT = 'cxr-workstation/covid-classifier-model-card'
/** File name of the card next to model.json. */
export const MODEL_CARD_FILE = 'card.json'

/**
 * Trains a run, or continues it from its checkpoints: the fine-tuning checkpoint if there is one, else the
 * pre-trained encoder, else the pre-training checkpoint, else from scratch. Throws {@link RunFailure} with a
 * user-facing reason; returns `cancelled` when stopped (after saving a checkpoint).
 */
export async function executeTrain(job: TrainJob, io: JobIo): Promise<{ kind: 'train'; outcome: 'completed' | 'cancelled' }> {
  const { config, runFolder } = job
  const began = performance.now()
  const settings: InputSettings = { preprocessing: config.preprocessing, input: config.input, lungModelId: job.lungModel?.modelId ?? null }
  // Preparation progress is the run's progress only until training starts; the rest overlaps training steps.
  let training = false
  const preparationBegan = performance.now()
  const preparing = (done: number, total: number) => {
    if (training) return
    const seconds = (performance.now() - preparationBegan) / 1000
    const rate = seconds > 0 ? done / seconds : 0
    io.progress({ phase: 'preparing', epoch: 0, epochs: 1, step: done, stepsPerEpoch: total, imagesPerSecond: rate, etaSeconds: rate > 0 ? (total - done) / rate : null, loss: null })
  }
  const trainingIo: JobIo = {
    ...io,
    progress: (progress) => {
      training = true
      io.progress(progress)
    },
  }
  // The lanes that fill the cache load the lung model themselves (each in its worker, in the app).
  const prepareLane: PrepareChunk = async (images, onEach, lanes) => {
    const payload: PrepareInputsJob = { dataFolder: job.dataFolder, settings, lungModel: job.lungModel, images }
    const onEvent = (event: PrepareInputsEvent) => (event.type === 'prepared' ? onEach(event.index, event) : io.log(event.line))
    // One lane runs here, between training steps; several run in helper workers beside the training.
    if (io.prepareInputs && lanes > 1) await io.prepareInputs(payload, onEvent)
    else await prepareImages(payload, onEvent, io.shouldStop)
  }
  let inputs: RunInputs
  try {
    inputs = await planInputSets(
      // Pre-training reads its inputs first, so they are prepared first.
      [...(job.pretrain ? [{ plan: job.pretrain, phase: 'pretrain' as const }] : []), { plan: job.finetune, phase: 'finetune' as const }],
      inputCacheLayout(job.dataFolder, settings),
      config.seed,
      { lanes: io.prepareInputs ? Math.max(1, job.preparationLanes ?? 1) : 1, prepare: prepareLane },
      preparing,
    )
  } catch (error) {
    if (io.shouldStop() && error instanceof RunFailure) return { kind: 'train', outcome: 'cancelled' }
    throw error
  }
  if (inputs.missing > 0) io.log(`preparing ${inputs.missing} inputs on ${inputs.lanes === 1 ? 'the training thread' : `${inputs.lanes} workers`}, first those the first batches need`)
  const [pretrainInputs, finetuneInputs] = job.pretrain ? [inputs.plans[0], inputs.plans[1]] : [null, inputs.plans[0]]
  void inputs.prepared.then(
    (counts) => {
      const prepareSeconds = (performance.now() - began) / 1000
      io.patch({ prepareSeconds })
      io.log(
        `inputs ready in ${prepareSeconds.toFixed(1)} s: ${counts.cached} from the cache, ${counts.prepared} prepared` +
          (job.lungModel ? `, lungs masked by "${job.lungModel.name}" (${job.lungModel.modelId})${counts.unmasked > 0 ? `; ${counts.unmasked} prepared now had no lungs found and are unmasked` : ''}` : ''),
      )
    },
    () => undefined,
  )
  try {
    return await trainOnInputs(job, trainingIo, settings, finetuneInputs, pretrainInputs)
  } catch (error) {
    // A cancel that reached the preparation first surfaces as its failure: the run was stopped, not broken.
    if (io.shouldStop() && error instanceof RunFailure) return { kind: 'train', outcome: 'cancelled' }
    throw error
  } finally {
    inputs.stop()
  }
}

/** Fine-tuning (and pre-training) on inputs that may still be arriving from the preparation. */
async function trainOnInputs(job: TrainJob, io: JobIo, settings: InputSettings, finetuneInputs: PlanInputs, pretrainInputs: PlanInputs | null): Promise<{ kind: 'train'; outcome: 'completed' | 'cancelled' }> {
  const { config, runFolder } = job
  const encoder = buildEncoder(config)
  const model = buildClassifier(encoder, config, 1)
  io.patch({ provenance: provenanceOf(job, io.engine, settings, countTrainableParameters(model)) })

  const trainBegan = performance.now()
  const finetuneDir = join(runFolder, 'checkpoints', 'finetune')
  const pretrainDir = join(runFolder, 'checkpoints', 'pretrain')
  const encoderDir = join(runFolder, 'encoder')
  let history: EpochMetrics[] = []
  let resumeFinetune: LoopState | null = null
  try {
    if (hasCheckpoint(join(finetuneDir, 'last'))) {
      resumeFinetune = await readCheckpointState<LoopState>(join(finetuneDir, 'last'))
    } else if (config.pretraining.kind === 'run') {
      if (!job.encoderFolder || !existsSync(join(job.encoderFolder, 'model.json'))) {
        throw new RunFailure(`pre-trained encoder of run ${config.pretraining.runId} not found (${job.encoderFolder ?? 'no folder'}): that run must have pre-trained an encoder and completed`)
      }
      await loadWeightsInto(encoder, job.encoderFolder).catch((error: Error) => {
        throw new RunFailure(`the encoder of run ${config.pretraining.kind === 'run' ? config.pretraining.runId : ''} does not fit this run: ${error.message}`)
      })
      io.log(`encoder initialised from run ${config.pretraining.runId}`)
    } else if (config.pretraining.kind === 'train' && pretrainInputs && job.pretrain) {
      if (existsSync(join(encoderDir, 'model.json'))) {
        await loadWeightsInto(encoder, encoderDir)
        history = (await readCheckpointState<LoopState>(join(pretrainDir, 'last')).catch(() => null))?.history ?? []
        io.log('pre-training already done: encoder loaded')
      } else {
        const outcome = await pretrain(job, io, encoder, pretrainInputs.train, pretrainInputs.validation, job.pretrain)
        if (outcome.outcome === 'stopped') return { kind: 'train', outcome: 'cancelled' }
        history = outcome.history
      }
    }

    // Fine-tuning.
    const optimizer = createOptimizer(config, config.learningRate)
    let state: LoopState
    if (resumeFinetune) {
      await loadWeightsInto(model, join(finetuneDir, 'last'))
      await loadOptimizer(optimizer, join(finetuneDir, 'last'))
      state = resumeFinetune
      io.log(`resuming fine-tuning at epoch ${state.epoch + 1}, step ${state.step}`)
    } else {
      state = initialLoopState('finetune', config.learningRate, history)
    }
    io.patch({ history: state.history })
    const phaseSettings = settingsFor(config, config.epochs, resolveClassWeights(config.classWeights, finetuneInputs.train.labels, 2))
    const outcome = await runTrainingLoop(model, optimizer, finetuneInputs.train, finetuneInputs.validation, phaseSettings, state, hooksFor('finetune', finetuneDir, model, optimizer, io))
    io.patch({ trainSeconds: (performance.now() - trainBegan) / 1000 })
    optimizer.dispose()
    if (outcome === 'stopped') return { kind: 'train', outcome: 'cancelled' }
    if (state.stopped === 'early') io.log(`early stopping after epoch ${state.epoch}: no improvement for ${config.earlyStoppingPatience} epochs`)

    // The model kept is the best epoch's, with a card saying how to feed it.
    await loadWeightsInto(model, join(finetuneDir, 'best'))
    const modelFolder = join(runFolder, 'model')
    const saved = await saveLayersModel(model, modelFolder)
    const best = state.best ? { phase: 'finetune' as const, epoch: state.best.epoch, valAuc: state.best.valAuc, valLoss: state.best.valLoss } : null
    await writeFile(
      join(modelFolder, MODEL_CARD_FILE),
      JSON.stringify(
        {
          format: MODEL_CARD_FORMAT,
          formatVersion: 1,
          runId: job.runId,
          architecture: config.architecture,
          baseWidth: config.baseWidth ?? null,
          input: config.input,
          preprocessing: config.preprocessing,
          lungMaskModelId: settings.lungModelId,
          lungModel: job.lungModel ? { modelId: job.lungModel.modelId, name: job.lungModel.name } : null,
          output: 'sigmoid probability of COVID+',
          best,
          config,
          compositionId: job.finetune.compositionId,
          compositionHash: job.finetune.compositionHash,
          weightsSha256: saved.weightsSha256,
          backend: io.engine.active,
          determinism: determinismOf(io.engine),
          versions: { app: job.appVersion, tfjs: tf.version.tfjs, node: process.versions.node },
        },
        null,
        2,
      ),
    )
    io.patch({ modelFolder, best })
    return { kind: 'train', outcome: 'completed' }
  } finally {
    model.dispose()
  }
}

async function pretrain(job: TrainJob, io: JobIo, encoder: tf.LayersModel, train: InputSet, validation: InputSet, plan: DataPlan): Promise<{ outcome: 'completed' | 'stopped'; history: EpochMetrics[] }> {
  const { config } = job
  if (config.pretraining.kind !== 'train') throw new Error('pretrain: the configuration has no pre-training set')
  const dir = join(job.runFolder, 'checkpoints', 'pretrain')
  const units = plan.classes === 2 ? 1 : plan.classes
  // The encoder is always trained while pre-training: freezing only concerns fine-tuning.
  const model = buildClassifier(encoder, { ...config, freezeEncoder: false }, units)
  const learningRate = config.pretraining.learningRate ?? config.learningRate
  const optimizer = createOptimizer(config, learningRate)
  let state = initialLoopState('pretrain', learningRate)
  if (hasCheckpoint(join(dir, 'last'))) {
    await loadWeightsInto(model, join(dir, 'last'))
    await loadOptimizer(optimizer, join(dir, 'last'))
    state = await readCheckpointState<LoopState>(join(dir, 'last'))
    io.log(`resuming pre-training at epoch ${state.epoch + 1}, step ${state.step}`)
  }
  const settings = settingsFor(config, config.pretraining.epochs, resolveClassWeights('none', train.labels, plan.classes))
  let outcome: Awaited<ReturnType<typeof runTrainingLoop>>
  try {
    outcome = await runTrainingLoop(model, optimizer, train, validation, settings, state, hooksFor('pretrain', dir, model, optimizer, io))
  } finally {
    optimizer.dispose()
    // `trainable` is a property of the shared encoder layers: give them back the fine-tuning setting, or a
    // frozen encoder would be fine-tuned after pre-training.
    for (const layer of encoder.layers) layer.trainable = !config.freezeEncoder
  }
  if (outcome === 'stopped') return { outcome, history: state.history }
  await loadWeightsInto(model, join(dir, 'best'))
  await saveLayersModel(encoder, join(job.runFolder, 'encoder'))
  io.log(`pre-training done: encoder of epoch ${(state.best?.epoch ?? 0) + 1} kept`)
  // Only the head's own weights are freed: the encoder's layers live on in the fine-tuning classifier.
  for (const layer of model.layers) if (!encoder.layers.includes(layer)) layer.dispose()
  return { outcome, history: state.history }
}

function settingsFor(config: RunConfig, epochs: number, classWeights: number[]): PhaseSettings {
  return {
    epochs,
    batchSize: config.batchSize,
    seed: config.seed,
    loss: config.loss,
    classWeights,
    weightDecay: config.weightDecay,
    augmentation: config.augmentation,
    reduceOnPlateau: config.reduceOnPlateau,
    earlyStoppingPatience: config.earlyStoppingPatience,
    checkpointMetric: config.checkpointMetric,
    checkpointEverySteps: config.checkpointEverySteps,
  }
}

function hooksFor(phase: 'pretrain' | 'finetune', dir: string, model: tf.LayersModel, optimizer: tf.Optimizer, io: JobIo): LoopHooks {
  return {
    onStep: (progress, indices) => {
      io.batch?.(phase, progress.epoch, progress.step - 1, indices)
      io.progress(progress)
    },
    onEpoch: (metrics) => {
      io.epoch(metrics)
      io.log(`${phase} epoch ${metrics.epoch + 1}: train loss ${metrics.trainLoss.toFixed(4)}${metrics.trainPenalty > 0 ? ` (+ weight-decay penalty ${metrics.trainPenalty.toFixed(4)})` : ''}, val loss ${metrics.valLoss.toFixed(4)}, val AUC ${metrics.valAuc?.toFixed(3) ?? 'undefined (one class)'}`)
    },
    saveLast: (state) => saveCheckpoint(join(dir, 'last'), model, optimizer, state as unknown as Record<string, unknown>),
    saveBest: (state) => saveCheckpoint(join(dir, 'best'), model, null, { epoch: state.best?.epoch ?? state.epoch }),
    shouldStop: io.shouldStop,
  }
}

function provenanceOf(job: TrainJob, engine: JobIo['engine'], settings: InputSettings, parameters: number): Provenance {
  const images = (plan: DataPlan | null) =>
    (plan?.images ?? []).map((image: PlannedImage) => ({ imageId: image.imageId, datasetId: image.datasetId, contentHash: image.contentHash, split: image.split, label: image.label }))
  return {
    compositionId: job.finetune.compositionId,
    compositionHash: job.finetune.compositionHash,
    images: images(job.finetune),
    pretrainImages: images(job.pretrain),
    encoderFromRunId: job.config.pretraining.kind === 'run' ? job.config.pretraining.runId : null,
    seed: job.config.seed,
    backend: engine.active,
    versions: { app: job.appVersion, tfjs: tf.version.tfjs, node: process.versions.node },
    lungMask: { applied: job.lungModel !== null, modelId: job.lungModel?.modelId ?? null, name: job.lungModel?.name ?? null },
    preprocessingKey: inputSettingsKey(settings),
    parameters,
    determinism: determinismOf(engine),
    trainedOn: { host: hostname(), cluster: null },
  }
}

/** What a run's model card says about how to feed the model. */
export interface ModelCardInputs {
  config: RunConfig
  /** Content id of the lung model the run masked with; null when it did not mask. */
  lungMaskModelId: string | null
  /** That lung model's name, when the card records it. */
  lungModelName: string | null
}

/** Reads a model folder's card (written at the end of a run). */
export async function readModelCard(modelFolder: string): Promise<ModelCardInputs> {
  const file = join(modelFolder, MODEL_CARD_FILE)
  if (!existsSync(file)) throw new RunFailure(`${modelFolder} is not a run's model folder: ${MODEL_CARD_FILE} is missing`)
  const card = JSON.parse(await readFile(file, 'utf8')) as { format?: string; config?: unknown; lungMaskModelId?: string | null; lungModel?: { name?: string } | null }
  if (card.format !== MODEL_CARD_FORMAT) throw new RunFailure(`${file} is not a COVID classifier card (format ${String(card.format)})`)
  return { config: RunConfigSchema.parse(card.config), lungMaskModelId: card.lungMaskModelId ?? null, lungModelName: card.lungModel?.name ?? null }
}

/**
 * The input settings a saved model was trained with. A `full` run from before lung models were required may have
 * trained unmasked (no model was installed then): its inputs were equalized only, and are prepared that way.
 */
export function modelInputSettings(card: ModelCardInputs): InputSettings {
  const { preprocessing, input } = card.config
  if (preprocessing === 'full' && card.lungMaskModelId === null) return { preprocessing: 'equalize', input, lungModelId: null }
  return { preprocessing, input, lungModelId: preprocessing === 'full' ? card.lungMaskModelId : null }
}

/** COVID+ probabilities of image files under a saved model, its inputs prepared as in training. */
export async function executePredict(job: PredictJob, io: JobIo): Promise<Prediction[]> {
  const card = await readModelCard(job.modelFolder)
  const settings = modelInputSettings(card)
  if (settings.lungModelId !== null && job.lungModel?.modelId !== settings.lungModelId) {
    throw new RunFailure(`this model was trained on lungs masked by the lung model ${card.lungModelName ? `"${card.lungModelName}" ` : ''}(${settings.lungModelId}), which is not installed here: install it to predict as in training`)
  }
  const masker = settings.lungModelId !== null && job.lungModel ? createLungMasker(job.lungModel) : null
  const size = settings.input.crop
  const area = size * size
  const images = new Float32Array(job.imagePaths.length * area)
  try {
    const pipeline = createInputPipeline({ dataFolder: job.dataFolder, settings, lungMasker: masker, log: io.log })
    for (const [index, path] of job.imagePaths.entries()) {
      let contentHash: string
      try {
        contentHash = (await hashFile(path)).contentHash
      } catch {
        throw new RunFailure(`could not read ${path}: the file is missing or unreadable`)
      }
      const { pixels } = await pipeline.prepare({ path, contentHash, description: 'the image' }).catch((error: Error) => {
        throw new RunFailure(error.message)
      })
      images.set(pixels, index * area)
    }
  } finally {
    masker?.dispose()
  }
  const model = await loadLayersModelFromFolder(job.modelFolder)
  try {
    const probabilities = await predictProbabilities(model, images, job.imagePaths.length, size, 8)
    return job.imagePaths.map((path, index) => ({ path, probability: probabilities[index] }))
  } finally {
    model.dispose()
  }
}

/** Steps timed by `estimate` after one untimed warm-up step. */
const ESTIMATE_STEPS = 2

/** Times a few real training steps of a configuration on the current backend and scales them to the whole run. */
export async function executeEstimate(job: EstimateJob, io: JobIo): Promise<RunEstimate> {
  const { config } = job
  const size = config.input.crop
  const model = buildClassifier(buildEncoder(config), config, 1)
  const optimizer = createOptimizer(config, config.learningRate)
  const batch = config.batchSize
  // Two batches, so the loop is stopped before its second step and validation is never timed.
  const count = 2 * batch
  const images = new Float32Array(count * size * size)
  for (let index = 0; index < images.length; index++) images[index] = (index % 97) / 97
  const set = memoryInputSet(images, Int32Array.from({ length: count }, (_, index) => index % 2), size)
  const times: number[] = []
  try {
    for (let step = 0; step <= ESTIMATE_STEPS; step++) {
      const began = performance.now()
      const state = initialLoopState('finetune', config.learningRate)
      await runTrainingLoop(model, optimizer, set, set, { ...settingsFor(config, 1, [1, 1]) }, state, {
        saveLast: async () => {},
        saveBest: async () => {},
        // Stop right after the one step: shouldStop is polled before each step.
        shouldStop: () => state.step >= 1,
      })
      if (step > 0) times.push((performance.now() - began) / 1000)
    }
  } finally {
    optimizer.dispose()
    model.dispose()
  }
  const secondsPerStep = times.sort((a, b) => a - b)[times.length >> 1]
  const steps =
    stepsPerEpoch(job.trainImages.finetune, batch) * config.epochs +
    (config.pretraining.kind === 'train' ? stepsPerEpoch(job.trainImages.pretrain, batch) * config.pretraining.epochs : 0)
  const validationImages = job.validationImages.finetune * config.epochs + (config.pretraining.kind === 'train' ? job.validationImages.pretrain * config.pretraining.epochs : 0)
  // A forward pass costs about a third of a training step (forward + two backward convolutions per layer).
  const totalSeconds = steps * secondsPerStep + (validationImages / batch) * (secondsPerStep / 3)
  io.log(`estimate: ${secondsPerStep.toFixed(2)} s per step of ${batch} on ${io.engine.active}`)
  return { backend: io.engine.active, secondsPerStep, trainingImages: job.trainImages.finetune * config.epochs, totalSeconds }
}

