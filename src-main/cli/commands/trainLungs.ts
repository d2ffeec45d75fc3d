import { cpus } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { APP_VERSION } from '../../app/version'
import { collectVersions } from '../../services/system/versions'
import { findProjectRoot } from '../../services/resources/projectRoot'
import { defaultLungModelDir } from '../../services/lung/model/shippedModel'
import { SHIPPED_LUNG_SPLIT, sharedLungSources } from '../../services/lung/training/sharedLungSources'
import { LUNG_TRAINING_DEFAULTS, trainLungModel, type LungTrainingSettings } from '../../services/lung/training/trainLungModel'
import { AUGMENTATION_PRESETS, type AugmentationPreset, type OverlapSummary } from '@shared/lung'
import { UsageError, type CliCommand } from '../command'

/** Environment variable naming the shared data folder (as the tests use). */
const SHARED_DATA_ENV = 'CXR_SHARED_DATA'

/** Stderr gets a step line this often, so a long epoch still shows signs of life. */
const STEP_LOG_EVERY = 10

/**
 * `cxr train-lungs`: THE command that builds the shipped lung model (`resources/models/lung-unet/`) from the
 * shared data's two lung-mask sets, with a held-out split by patient. Progress goes to stderr; the model card
 * records every setting, the data by content hash and the held-out scores.
 */
export const trainLungsCommand: CliCommand = {
  name: 'train-lungs',
  summary: 'train the lung-segmentation U-Net on the shared lung masks and write model + model card',
  usage:
    'cxr train-lungs [--out DIR] [--data DIR] [--size N] [--depth N] [--filters N] [--epochs N] [--batch N] [--lr RATE] [--schedule plateau|cosine] [--warmup EPOCHS] [--min-lr RATE] [--patience EPOCHS] [--augmentation strong|basic|none] [--seed N] [--seeded-split [--test-fraction F] [--validation-fraction F]] [--time-budget MINUTES|0] [--limit N]\n' +
    'Without options it rebuilds the shipped model: every default is the shipped setting (see resources/models/lung-unet/model-card.json).\n' +
    'Validation and held-out patients are those of the first shipped model, so scores compare across models; --seeded-split (implied by --limit) draws them by --seed and the fractions instead.',
  async run(args, { io, services }) {
    const options = parseOptions(args)
    const engine = await services().engine.init()
    const log = (line: string) => io.stderr(`cxr train-lungs: ${line}\n`)
    log(`backend ${engine.active}${engine.wasm ? ` (SIMD ${engine.wasm.simd ? 'on' : 'off'}, threads ${engine.wasm.threads ? 'on' : 'off'})` : ''}; data ${options.dataRoot}; out ${options.outDir}`)
    const controller = new AbortController()
    const onSignal = () => {
      log('interrupted: stopping after the current step (no model is written)')
      controller.abort(new Error('interrupted'))
    }
    process.once('SIGINT', onSignal)
    try {
      const result = await trainLungModel({
        ...options.settings,
        sources: await sharedLungSources(options.dataRoot),
        outDir: options.outDir,
        // Quick runs (--limit) read too few images for the fixed patients: their split is drawn.
        fixedSplit: options.seededSplit || options.limit !== undefined ? undefined : SHIPPED_LUNG_SPLIT,
        limitPerSource: options.limit,
        command: ['cxr', 'train-lungs', ...args].join(' '),
        backend: { name: engine.active, ...(engine.wasm ?? {}), ...(engine.onednn ? { onednn: engine.onednn.version, threads: engine.onednn.threads } : {}) },
        machine: { cpuModel: cpus()[0]?.model.trim() ?? 'unknown', cores: cpus().length, platform: process.platform, arch: process.arch },
        versions: { app: APP_VERSION, ...collectVersions() },
        signal: controller.signal,
        log,
        onBatchEnd: ({ epoch, batch, batches, loss, stepMs }) => {
          if ((batch + 1) % STEP_LOG_EVERY === 0 || batch + 1 === batches) {
            log(`epoch ${epoch + 1} step ${batch + 1}/${batches} loss ${loss.toFixed(4)} (${(stepMs / 1000).toFixed(2)} s/step)`)
          }
        },
        onEpochEnd: (epoch) => {
          log(
            `epoch ${epoch.epoch + 1}: train loss ${epoch.trainLoss.toFixed(4)}, val Dice ${epoch.valDice.toFixed(4)}, val IoU ${epoch.valIoU.toFixed(4)}, lr ${epoch.learningRate.toExponential(1)}, ${(epoch.epochMs / 1000).toFixed(0)} s${epoch.improved ? ' *best*' : ''} (elapsed ${(epoch.elapsedMs / 60000).toFixed(1)} min)`,
          )
        },
      })
      const { overall, bySource, byOrigin } = result.evaluation
      const minutes = (seconds: number) => `${(seconds / 60).toFixed(1)} min`
      const lines = [
        `held-out (${overall.images} images): ${describeScores(overall)}; model and card in ${result.outDir}`,
        ...Object.entries(bySource).map(([source, summary]) => `  masks ${source} (${summary.images}): ${describeScores(summary)}`),
        ...Object.entries(byOrigin).map(([origin, summary]) => `  images from ${origin} (${summary.images}): ${describeScores(summary)}`),
        `training took ${minutes(result.training.trainingMs / 1000)} (${result.training.epochsRun} epochs, stopped by ${result.training.stopReason}); everything ${minutes(result.wallSeconds)}`,
      ]
      io.stdout(`${lines.join('\n')}\n`)
      return 0
    } finally {
      process.off('SIGINT', onSignal)
    }
  },
}

function describeScores(summary: OverlapSummary): string {
  const fixed = (value: number | null) => (value == null ? '–' : value.toFixed(4))
  return `Dice ${fixed(summary.meanDice)} (min ${fixed(summary.minDice)}), IoU ${fixed(summary.meanIoU)}`
}

interface TrainLungsCliOptions {
  outDir: string
  dataRoot: string
  limit?: number
  seededSplit: boolean
  settings: Partial<LungTrainingSettings>
}

function parseOptions(args: string[]): TrainLungsCliOptions {
  const d = LUNG_TRAINING_DEFAULTS
  let values
  try {
    values = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        data: { type: 'string' },
        size: { type: 'string', default: String(d.inputSize) },
        depth: { type: 'string', default: String(d.depth) },
        filters: { type: 'string', default: String(d.baseFilters) },
        epochs: { type: 'string', default: String(d.epochs) },
        batch: { type: 'string', default: String(d.batchSize) },
        lr: { type: 'string', default: String(d.learningRate) },
        schedule: { type: 'string', default: d.learningRateSchedule },
        warmup: { type: 'string', default: String(d.warmupEpochs) },
        'min-lr': { type: 'string', default: String(d.minLearningRate) },
        patience: { type: 'string', default: String(d.patience) },
        augmentation: { type: 'string', default: d.augmentation },
        seed: { type: 'string', default: String(d.seed) },
        'test-fraction': { type: 'string', default: String(d.testFraction) },
        'validation-fraction': { type: 'string', default: String(d.validationFraction) },
        'time-budget': { type: 'string', default: String(d.timeBudgetMinutes ?? 0) },
        limit: { type: 'string' },
        'seeded-split': { type: 'boolean', default: false },
      },
    }).values
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const integer = (name: string, text: string, min: number) => {
    const value = Number(text)
    if (text.trim() === '' || !Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${text}'`)
    return value
  }
  const fraction = (name: string, text: string) => {
    const value = Number(text)
    if (!(value > 0 && value < 1)) throw new UsageError(`--${name} must be strictly between 0 and 1, got '${text}'`)
    return value
  }
  const depth = integer('depth', values.depth, 1)
  const inputSize = integer('size', values.size, 16)
  if (inputSize % 2 ** depth !== 0) throw new UsageError(`--size must be a multiple of 2^depth = ${2 ** depth}, got ${inputSize}`)
  const learningRate = Number(values.lr)
  if (!(learningRate > 0 && learningRate < 1)) throw new UsageError(`--lr must be in (0, 1), got '${values.lr}'`)
  const minLearningRate = Number(values['min-lr'])
  if (!(minLearningRate > 0 && minLearningRate <= learningRate)) throw new UsageError(`--min-lr must be > 0 and at most --lr (${learningRate}), got '${values['min-lr']}'`)
  const schedule = values.schedule
  if (schedule !== 'plateau' && schedule !== 'cosine') throw new UsageError(`--schedule must be plateau or cosine, got '${schedule}'`)
  const augmentation = values.augmentation
  if (!Object.hasOwn(AUGMENTATION_PRESETS, augmentation)) throw new UsageError(`--augmentation must be one of ${Object.keys(AUGMENTATION_PRESETS).join(', ')}, got '${augmentation}'`)
  const testFraction = fraction('test-fraction', values['test-fraction'])
  const validationFraction = fraction('validation-fraction', values['validation-fraction'])
  if (testFraction + validationFraction >= 0.9) throw new UsageError('--test-fraction plus --validation-fraction must leave images to train on (sum < 0.9)')
  const budget = Number(values['time-budget'])
  if (!(budget >= 0)) throw new UsageError(`--time-budget must be minutes ≥ 0 (0: none), got '${values['time-budget']}'`)
  const dataRoot = resolve(values.data ?? process.env[SHARED_DATA_ENV] ?? join(findProjectRoot(), '..', 'shared', 'data'))
  return {
    outDir: resolve(values.out ?? defaultLungModelDir()),
    dataRoot,
    limit: values.limit === undefined ? undefined : integer('limit', values.limit, 2),
    seededSplit: values['seeded-split'],
    settings: {
      inputSize,
      depth,
      baseFilters: integer('filters', values.filters, 1),
      epochs: integer('epochs', values.epochs, 1),
      batchSize: integer('batch', values.batch, 1),
      learningRate,
      learningRateSchedule: schedule,
      warmupEpochs: integer('warmup', values.warmup, 0),
      minLearningRate,
      patience: integer('patience', values.patience, 1),
      augmentation: augmentation as AugmentationPreset,
      seed: integer('seed', values.seed, 0),
      testFraction,
      validationFraction,
      timeBudgetMinutes: budget === 0 ? null : budget,
    },
  }
}
