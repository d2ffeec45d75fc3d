/**
 * Produces the shipped lung model: data → U-Net → training with early stopping → evaluation on held-out
 * patients at the images' own size → model files + model card. `cxr train-lungs` is its command line.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ResizeMode } from '@shared/imaging/preprocess'
import { AUGMENTATION_PRESETS, type AugmentationPreset, type AugmentationRanges } from '@shared/lung'
import { evaluateLungModel, type LungEvaluation } from './evaluateLungModel'
import { loadLungDataset, type FixedPatientSplit, type LungMaskSource } from './lungDataset'
import { saveLayersModel } from '../../engine/modelFiles'
import { trainSegmentationModel, type BatchLog, type EpochLog, type LearningRateSchedule, type SegmentationTrainingResult } from './trainSegmentation'
import { buildUNet, resolveUNetOptions, type UpsamplingMode } from '../model/unet'
import { foldBatchNorm } from '../model/foldBatchNorm'
import { MODEL_CARD_JSON } from '../model/lungModel'
import { buildLungModelCard, originResolver } from './lungModelCard'

/**
 * Settings of the shipped model, chosen to fit about an hour on a shared 2-core machine with the wasm backend
 * (measured ≈ 0.7 s per 256 px image per training step at 8 base filters with batch norm; 16 filters is ≈ 3×
 * slower and does not fit). Every one is a `cxr train-lungs` option.
 */
export const LUNG_TRAINING_DEFAULTS: LungTrainingSettings = {
  inputSize: 256,
  depth: 4,
  baseFilters: 8,
  batchNorm: true,
  upsampling: 'transpose' as UpsamplingMode,
  resizeMode: 'stretch' as ResizeMode,
  epochs: 40,
  batchSize: 4,
  learningRate: 1e-3,
  learningRateSchedule: 'plateau',
  warmupEpochs: 0,
  minLearningRate: 1e-5,
  patience: 8,
  reduceLearningRatePatience: 3,
  augmentation: 'strong',
  seed: 1,
  testFraction: 0.15,
  validationFraction: 0.1,
  timeBudgetMinutes: 60,
}

/** Every setting of a lung training run (see {@link LUNG_TRAINING_DEFAULTS}). */
export interface LungTrainingSettings {
  inputSize: number
  depth: number
  baseFilters: number
  batchNorm: boolean
  upsampling: UpsamplingMode
  resizeMode: ResizeMode
  epochs: number
  batchSize: number
  learningRate: number
  learningRateSchedule: LearningRateSchedule
  /** Cosine schedule only: epochs of linear warm-up. */
  warmupEpochs: number
  /** Floor of the schedule. */
  minLearningRate: number
  patience: number
  /** Plateau schedule only: epochs without a better validation Dice before the rate is halved. */
  reduceLearningRatePatience: number
  /** Named ranges of `AUGMENTATION_PRESETS` (`none`: no augmentation). */
  augmentation: AugmentationPreset
  seed: number
  testFraction: number
  validationFraction: number
  /** Wall-time budget of the training loop (not of loading and evaluation); null: none. */
  timeBudgetMinutes: number | null
}

/** Options of {@link trainLungModel}. */
export interface TrainLungModelOptions extends Partial<LungTrainingSettings> {
  sources: readonly LungMaskSource[]
  outDir: string
  /**
   * Validation and held-out patients fixed in advance (the shipped model's: `SHIPPED_LUNG_SPLIT`); without it the
   * split is drawn by `seed`, `testFraction` and `validationFraction`.
   */
  fixedSplit?: FixedPatientSplit
  /** Quick runs: at most this many pairs per source. */
  limitPerSource?: number
  /** The command line that ran this, recorded in the card so the model can be rebuilt. */
  command: string
  /** Backend facts for the card (name, SIMD, threads). */
  backend: Record<string, unknown>
  /** The machine for the card (CPU model, cores), so the training time can be read against it. */
  machine?: Record<string, unknown>
  /** Versions for the card (node, tfjs, app…). */
  versions: Record<string, string>
  signal?: AbortSignal
  /** Where the training keeps its checkpoint; started again with the same folder, it resumes (see trainSegmentationModel). */
  checkpointFolder?: string
  log?: (line: string) => void
  /** Awaited after every step: an in-process caller can yield here so its event loop stays responsive. */
  onBatchEnd?: (log: BatchLog) => void | Promise<void>
  onEpochEnd?: (log: EpochLog) => void | Promise<void>
  /**
   * At each phase change, so a caller (the app's training job) can show what is happening and size its progress
   * bar before the first step. `training` comes with the split sizes, before the model is built: throwing there
   * refuses a split the caller cannot use (for instance no held-out images) without wasting a build.
   */
  onPhase?: (phase: LungTrainingPhase) => void | Promise<void>
}

/** A phase of {@link trainLungModel}, reported through `onPhase`. */
export type LungTrainingPhase =
  | { phase: 'training'; train: number; validation: number; test: number; batchSize: number; epochs: number }
  | { phase: 'evaluating'; test: number }
  | { phase: 'saving' }

/** What {@link trainLungModel} produced. */
export interface TrainLungModelResult {
  card: Record<string, unknown>
  /** From loading the data to the files written. */
  wallSeconds: number
  evaluation: LungEvaluation
  training: SegmentationTrainingResult
  outDir: string
}

/** Builds, trains, evaluates and saves the lung U-Net; see the module comment. */
export async function trainLungModel(options: TrainLungModelOptions): Promise<TrainLungModelResult> {
  const settings: LungTrainingSettings = { ...LUNG_TRAINING_DEFAULTS, ...definedOnly(pickSettings(options)) }
  const log = options.log ?? (() => {})
  const wallBegan = performance.now()
  const startedAt = new Date()

  const dataset = await loadLungDataset({
    sources: options.sources,
    inputSize: settings.inputSize,
    resizeMode: settings.resizeMode,
    testFraction: settings.testFraction,
    validationFraction: settings.validationFraction,
    seed: settings.seed,
    fixedSplit: options.fixedSplit,
    limitPerSource: options.limitPerSource,
    log,
    signal: options.signal,
  })
  log(`split by patient: ${dataset.train.length} train, ${dataset.validation.length} validation, ${dataset.test.length} held-out test images`)
  await options.onPhase?.({ phase: 'training', train: dataset.train.length, validation: dataset.validation.length, test: dataset.test.length, batchSize: settings.batchSize, epochs: settings.epochs })

  const unetOptions = resolveUNetOptions({ inputSize: settings.inputSize, depth: settings.depth, baseFilters: settings.baseFilters, seed: settings.seed, batchNorm: settings.batchNorm, upsampling: settings.upsampling })
  const model = buildUNet({ ...unetOptions, seed: settings.seed })
  try {
    const parameters = model.countParams()
    log(`U-Net: depth ${unetOptions.depth}, ${unetOptions.baseFilters} base filters, ${unetOptions.inputSize} px, ${parameters} parameters`)
    const augmentation: AugmentationRanges | null = AUGMENTATION_PRESETS[settings.augmentation]
    const training = await trainSegmentationModel(
      model,
      { train: dataset.train, validation: dataset.validation },
      {
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        learningRate: settings.learningRate,
        learningRateSchedule: settings.learningRateSchedule,
        warmupEpochs: settings.warmupEpochs,
        minLearningRate: settings.minLearningRate,
        seed: settings.seed,
        augmentation,
        patience: settings.patience,
        reduceLearningRatePatience: settings.reduceLearningRatePatience,
        timeBudgetMs: settings.timeBudgetMinutes == null ? undefined : settings.timeBudgetMinutes * 60_000,
        signal: options.signal,
        checkpointFolder: options.checkpointFolder,
        onResume: (epoch, step) => log(`resumed from the checkpoint at epoch ${epoch + 1}, step ${step + 1}`),
        onBatchEnd: options.onBatchEnd,
        onEpochEnd: options.onEpochEnd,
      },
    )
    log(`training stopped (${training.stopReason}) after ${training.epochsRun} epochs; best epoch ${training.bestEpoch + 1}, validation Dice ${training.bestValDice.toFixed(4)}`)

    // What ships, and so what is scored: the inference form (batch norms folded, ReLUs fused).
    const inference = foldBatchNorm(model, unetOptions)
    try {
      await options.onPhase?.({ phase: 'evaluating', test: dataset.test.length })
      log(`evaluating on ${dataset.test.length} held-out images at their own size…`)
      const evaluation = await evaluateLungModel(inference, dataset.test.map((sample) => sample.pair), { resizeMode: settings.resizeMode, originOf: originResolver(options.sources), signal: options.signal })
      log(`held-out Dice ${evaluation.overall.meanDice?.toFixed(4)}, IoU ${evaluation.overall.meanIoU?.toFixed(4)}`)

      await options.onPhase?.({ phase: 'saving' })
      const files = await saveLayersModel(inference, options.outDir)
      const wallSeconds = (performance.now() - wallBegan) / 1000
      const card = buildLungModelCard({
        options,
        settings,
        unet: unetOptions,
        parameters,
        savedParameters: inference.countParams(),
        augmentation,
        dataset,
        training,
        evaluation,
        files,
        startedAt,
        wallSeconds,
      })
      await writeFile(join(options.outDir, MODEL_CARD_JSON), `${JSON.stringify(card, null, 2)}\n`)
      log(`wrote ${options.outDir} (weights ${(files.weightsBytes / 1e6).toFixed(2)} MB)`)
      return { card, wallSeconds, evaluation, training, outDir: options.outDir }
    } finally {
      inference.dispose()
    }
  } finally {
    model.dispose()
  }
}

function pickSettings(options: TrainLungModelOptions): Partial<LungTrainingSettings> {
  const keys = Object.keys(LUNG_TRAINING_DEFAULTS) as Array<keyof LungTrainingSettings>
  return Object.fromEntries(keys.map((key) => [key, options[key]])) as Partial<LungTrainingSettings>
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>
}
