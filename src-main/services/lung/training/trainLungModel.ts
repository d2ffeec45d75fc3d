/**
 * Produces the shipped lung model: data → U-Net → training with early stopping → evaluation on held-out
 * patients at the images' own size → model files + model card. `cxr train-lungs` is its command line.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { ResizeMode } from '@shared/imaging/preprocess'
import { AUGMENTATION_PRESETS, LUNG_MODEL_CARD_FORMAT, LUNG_POSTPROCESS_DEFAULTS, summarizeOverlap, type AugmentationPreset, type OverlapSummary, type AugmentationRanges } from '@shared/lung'
import { evaluateLungModel, type LungEvaluation } from './evaluateLungModel'
import { loadLungDataset, type LungDataset, type LungMaskSource, type LungSample } from './lungDataset'
import type { MaskPair } from './maskPairs'
import { saveLayersModel } from '../../engine/modelFiles'
import { trainSegmentationModel, type BatchLog, type EpochLog, type LearningRateSchedule, type SegmentationTrainingResult } from './trainSegmentation'
import { buildUNet, resolveUNetOptions, type UpsamplingMode } from '../model/unet'
import { foldBatchNorm } from '../model/foldBatchNorm'
import { MODEL_CARD_JSON } from '../model/lungModel'

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
      const card = buildCard({
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

interface CardInputs {
  options: TrainLungModelOptions
  settings: LungTrainingSettings
  unet: ReturnType<typeof resolveUNetOptions>
  parameters: number
  savedParameters: number
  augmentation: AugmentationRanges | null
  dataset: LungDataset
  training: SegmentationTrainingResult
  evaluation: LungEvaluation
  files: Awaited<ReturnType<typeof saveLayersModel>>
  startedAt: Date
  wallSeconds: number
}

function buildCard(inputs: CardInputs): Record<string, unknown> {
  const { options, settings, unet, dataset, training, evaluation, files } = inputs
  const round = (value: number | null, digits = 4) => (value == null ? null : Number(value.toFixed(digits)))
  const originOf = originResolver(options.sources)
  const describe = (sample: LungSample, split: string) => {
    const origin = originOf?.(sample.pair)
    return {
      id: sample.pair.id,
      source: sample.pair.sourceId,
      file: sample.pair.fileName,
      ...(origin === undefined ? {} : { origin }),
      contentHash: sample.contentHash,
      patientId: sample.patientId,
      width: sample.width,
      height: sample.height,
      split,
    }
  }
  const comparable = dataset.duplicates.filter((duplicate) => duplicate.maskDice != null)
  const agreement = summarizeOverlap(comparable.map((duplicate) => ({ dice: duplicate.maskDice as number, iou: (duplicate.maskDice as number) / (2 - (duplicate.maskDice as number)) })))
  return {
    format: LUNG_MODEL_CARD_FORMAT,
    formatVersion: 1,
    name: 'lung-unet',
    description:
      'U-Net lung segmentation for chest radiographs (paper Sec. III-B: lungs segmented by a U-Net, mask blurred 3 px, image multiplied by it). Output: per-pixel lung probability; the app thresholds and post-processes it (see postprocessing).',
    createdAt: inputs.startedAt.toISOString(),
    command: options.command,
    files: { modelJson: 'model.json', weights: 'weights.bin', weightsBytes: files.weightsBytes, weightsSha256: files.weightsSha256 },
    architecture: {
      kind: 'U-Net',
      reference: 'Ronneberger, Fischer & Brox, U-Net: Convolutional Networks for Biomedical Image Segmentation, MICCAI 2015',
      inputSize: unet.inputSize,
      inputShape: [unet.inputSize, unet.inputSize, 1],
      depth: unet.depth,
      baseFilters: unet.baseFilters,
      filtersPerLevel: Array.from({ length: unet.depth + 1 }, (_, level) => unet.baseFilters * 2 ** level),
      batchNorm: unet.batchNorm,
      upsampling: unet.upsampling === 'transpose' ? '2x2 stride-2 transposed convolution' : 'nearest ×2 then 3x3 convolution',
      padding: 'same',
      output: '1x1 convolution, sigmoid: probability of lung',
      parameters: inputs.parameters,
      savedForm: `inference form (foldBatchNorm): each batch norm folded into the convolution before it and its ReLU fused, ${inputs.savedParameters} parameters; the same function up to float32 rounding`,
    },
    preprocessing: {
      chain: ['toPresentationGrey (MONOCHROME1 inverted, bone bright)', 'histogramEqualize (global, full bit depth)', `resize to ${unet.inputSize}x${unet.inputSize} (${settings.resizeMode}; area when shrinking, bilinear when enlarging)`],
      equalize: 'global',
      resizeMode: settings.resizeMode,
      inputRange: [0, 1],
      note: 'The same chain as the classifier input (src-shared/imaging/preprocess), minus the mask.',
    },
    postprocessing: { ...LUNG_POSTPROCESS_DEFAULTS },
    postprocessingSteps: [
      'probability map cropped to the resize placement and resized bilinearly to the original image size',
      `threshold at ${LUNG_POSTPROCESS_DEFAULTS.threshold}`,
      `keep the ${LUNG_POSTPROCESS_DEFAULTS.keepComponents} largest ${LUNG_POSTPROCESS_DEFAULTS.connectivity}-connected components (dropping any below ${LUNG_POSTPROCESS_DEFAULTS.minRelativeArea} of the largest)`,
      'fill holes (background 4-connected to the border stays outside)',
      `Gaussian blur, radius (sigma) ${LUNG_POSTPROCESS_DEFAULTS.blurRadius} px, for the soft mask`,
    ],
    trainingData: {
      sources: options.sources.map((source) => ({ id: source.id, location: source.location, convention: source.convention, licence: source.licence })),
      conventionChoice:
        'Both sources are used. Their outlines differ slightly (V7 is tighter along the mediastinum and includes some retrocardiac lung, the radiologist set is drawn more generously); on the radiographs both annotate, the two masks agree at the Dice given in interAnnotatorAgreement, about the accuracy asked of the model. Doubling the data (about 100 → 200 distinct radiographs) was judged worth more than a single convention. When a radiograph is in both, the first source\'s mask is kept (radiologist-drawn, and closest to the lung-field convention of the Montgomery/Shenzhen sets the paper trained on). Splits are stratified by source, and the held-out scores are also given per source.',
      interAnnotatorAgreement: { images: agreement.images, meanDice: round(agreement.meanDice), medianDice: round(agreement.medianDice), minDice: round(agreement.minDice) },
      deduplication:
        'Same SHA-256 of the file, or same size and a 16x16 thumbnail differing by a mean of < 0.01 (the two sources store some radiographs as differently encoded files)',
      duplicatesDropped: dataset.duplicates.map((duplicate) => ({ ...duplicate, fingerprintDistance: round(duplicate.fingerprintDistance, 5), maskDice: round(duplicate.maskDice) })),
      closestDistinctFingerprintDistance: round(dataset.closestDistinctDistance, 5),
      excluded: dataset.excluded,
      images: [
        ...dataset.train.map((sample) => describe(sample, 'train')),
        ...dataset.validation.map((sample) => describe(sample, 'validation')),
        ...dataset.test.map((sample) => describe(sample, 'test')),
      ],
    },
    split: {
      method: 'splitByPatient (src-shared/datasets): patient-disjoint, stratified by source; test first, then validation from the rest',
      patientIds: 'covid-chestxray metadata patientid (frontal_xray_labels.csv, then metadata.csv); an image without one is its own patient',
      seed: settings.seed,
      testFraction: settings.testFraction,
      validationFraction: settings.validationFraction,
      images: { train: dataset.train.length, validation: dataset.validation.length, test: dataset.test.length },
      patients: {
        train: new Set(dataset.train.map((sample) => sample.patientId)).size,
        validation: new Set(dataset.validation.map((sample) => sample.patientId)).size,
        test: new Set(dataset.test.map((sample) => sample.patientId)).size,
      },
      use: 'train: weights; validation: early stopping and learning-rate halving; test: the reported scores only',
    },
    training: {
      loss: '(1 − soft Dice, per image) + binary cross-entropy',
      optimizer: 'Adam',
      learningRate: settings.learningRate,
      learningRateSchedule: describeSchedule(settings),
      batchSize: settings.batchSize,
      maxEpochs: settings.epochs,
      epochsRun: training.epochsRun,
      bestEpoch: training.bestEpoch + 1,
      stopReason: training.stopReason,
      earlyStopping: `validation Dice, patience ${settings.patience}, best weights restored`,
      timeBudgetMinutes: settings.timeBudgetMinutes,
      augmentation: inputs.augmentation
        ? {
            preset: settings.augmentation,
            ...inputs.augmentation,
            applied:
              'every training image at every step (src-shared/lung/augment.ts), seeded: same geometry for image (bilinear) and mask (nearest); gamma, contrast, brightness, CLAHE blend, blur and noise on the image only; no flips (the heart is on the left)',
          }
        : null,
      seed: settings.seed,
      medianStepMs: Math.round(training.medianStepMs),
      trainingSeconds: Math.round(training.trainingMs / 1000),
      wallSeconds: Math.round(inputs.wallSeconds),
      history: training.history.map((epoch) => ({ epoch: epoch.epoch + 1, trainLoss: round(epoch.trainLoss), valDice: round(epoch.valDice), valIoU: round(epoch.valIoU), learningRate: epoch.learningRate, seconds: Math.round(epoch.epochMs / 1000) })),
      backend: options.backend,
      ...(options.machine ? { machine: options.machine } : {}),
      versions: options.versions,
      tfjs: tf.version.tfjs,
    },
    evaluation: {
      protocol: 'held-out test patients; segmentImage on the original file (full input chain and post-processing) against the ground-truth mask at the image\'s own size; mean over images',
      heldOut: roundSummary(evaluation.overall),
      heldOutBySource: roundSummaries(evaluation.bySource),
      ...(Object.keys(evaluation.byOrigin).length === 0
        ? {}
        : {
            heldOutByImageSource: roundSummaries(evaluation.byOrigin),
            imageSource: 'the website the mask source names as the radiograph\'s origin (for covid-chestxray: metadata.csv\'s url, a journal or teaching site); \'unknown\' where it names none',
          }),
      validation: { images: dataset.validation.length, dice: round(training.bestValDice), iou: round(training.bestValIoU), at: `${unet.inputSize} px network output, threshold 0.5, no post-processing` },
      target: { meanDice: 0.95, reached: (evaluation.overall.meanDice ?? 0) >= 0.95 },
      perImage: evaluation.perImage.map((score) => ({ ...score, dice: round(score.dice), iou: round(score.iou) })),
    },
    limitations: [
      'Trained on about 200 adult radiographs from one public COVID-19 collection (papers, websites): mostly PA/AP views with burnt-in text and arrows; not validated on paediatric, lateral or portable-supine images beyond what the collection holds.',
      'The two annotation conventions disagree by a few percent of lung area along the mediastinum and diaphragm; Dice above their mutual agreement is not meaningful.',
      'Dense consolidation at the lung border can be cut off; hole filling only recovers opacities enclosed by lung.',
      'A research tool, not a medical device.',
    ],
  }
}

function describeSchedule(settings: LungTrainingSettings): string {
  if (settings.learningRateSchedule === 'cosine') {
    const warmup = settings.warmupEpochs > 0 ? `linear warm-up from a tenth over ${settings.warmupEpochs} epochs, then ` : ''
    return `${warmup}cosine decay to ${settings.minLearningRate} over ${settings.epochs} epochs, set per epoch`
  }
  return `halved after ${settings.reduceLearningRatePatience} epochs without a better validation Dice (floor ${settings.minLearningRate})`
}

/** Where a pair's radiograph comes from, by its mask source's `originOf`; undefined when no source knows. */
function originResolver(sources: readonly LungMaskSource[]): ((pair: MaskPair) => string | undefined) | undefined {
  if (!sources.some((source) => source.originOf)) return undefined
  const byId = new Map(sources.map((source) => [source.id, source]))
  return (pair) => byId.get(pair.sourceId)?.originOf?.(pair.fileName)
}

function roundSummaries(summaries: Record<string, OverlapSummary>) {
  return Object.fromEntries(Object.entries(summaries).map(([group, summary]) => [group, roundSummary(summary)]))
}

function roundSummary(summary: OverlapSummary) {
  const round = (value: number | null) => (value == null ? null : Number(value.toFixed(4)))
  return { images: summary.images, meanDice: round(summary.meanDice), meanIoU: round(summary.meanIoU), medianDice: round(summary.medianDice), minDice: round(summary.minDice) }
}

function pickSettings(options: TrainLungModelOptions): Partial<LungTrainingSettings> {
  const keys = Object.keys(LUNG_TRAINING_DEFAULTS) as Array<keyof LungTrainingSettings>
  return Object.fromEntries(keys.map((key) => [key, options[key]])) as Partial<LungTrainingSettings>
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>
}
