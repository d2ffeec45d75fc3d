/** The model card `trainLungModel` writes beside the model (`model-card.json`). */
import * as tf from '@tensorflow/tfjs'
import { LUNG_MODEL_CARD_FORMAT, LUNG_POSTPROCESS_DEFAULTS, summarizeOverlap, type AugmentationRanges, type OverlapSummary } from '@shared/lung'
import type { saveLayersModel } from '../../engine/modelFiles'
import type { resolveUNetOptions } from '../model/unet'
import type { LungEvaluation } from './evaluateLungModel'
import type { LungDataset, LungMaskSource, LungSample } from './lungDataset'
import type { MaskPair } from './maskPairs'
import type { SegmentationTrainingResult } from './trainSegmentation'
import type { LungTrainingSettings, TrainLungModelOptions } from './trainLungModel'

/** What {@link buildLungModelCard} describes. */
export interface CardInputs {
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

/** The model card of a trained lung U-Net: everything needed to read, trust and rebuild it. */
export function buildLungModelCard(inputs: CardInputs): Record<string, unknown> {
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
      ...(options.fixedSplit
        ? {
            method: `fixed patient lists: ${options.fixedSplit.origin}; every other patient trains`,
            testPatients: [...options.fixedSplit.test],
            validationPatients: [...options.fixedSplit.validation],
          }
        : {
            method: 'splitByPatient (src-shared/datasets): patient-disjoint, stratified by source; test first, then validation from the rest',
            seed: settings.seed,
            testFraction: settings.testFraction,
            validationFraction: settings.validationFraction,
          }),
      patientIds: 'covid-chestxray metadata patientid (frontal_xray_labels.csv, then metadata.csv); an image without one is its own patient',
      images: { train: dataset.train.length, validation: dataset.validation.length, test: dataset.test.length },
      patients: {
        train: new Set(dataset.train.map((sample) => sample.patientId)).size,
        validation: new Set(dataset.validation.map((sample) => sample.patientId)).size,
        test: new Set(dataset.test.map((sample) => sample.patientId)).size,
      },
      use: 'train: weights; validation: the best epoch (its weights are kept), early stopping and, on the plateau schedule, learning-rate halving; test: the reported scores only',
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
export function originResolver(sources: readonly LungMaskSource[]): ((pair: MaskPair) => string | undefined) | undefined {
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
