import { z } from 'zod'
import { RunConfigSchema } from './config'

/**
 * A run's life: `queued` → `running` → `completed` | `failed` | `cancelled`. A run that was running when the
 * app stopped is `interrupted` at the next start-up. `failed`, `cancelled` and `interrupted` runs can be resumed
 * from their last checkpoint.
 */
export const RunStateSchema = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'])
/** A run's state. */
export type RunState = z.infer<typeof RunStateSchema>

/** States a run can be resumed from. */
export const RESUMABLE_STATES: readonly RunState[] = ['failed', 'cancelled', 'interrupted']

/** Pre-training the encoder, then fine-tuning the classifier. */
export const RunPhaseSchema = z.enum(['preparing', 'pretrain', 'finetune'])
/** The phase a run is in. */
export type RunPhase = z.infer<typeof RunPhaseSchema>

/** Where a running run is. `etaSeconds` is null until a few steps were timed. */
export const RunProgressSchema = z.object({
  phase: RunPhaseSchema,
  /** 0-based epoch of the phase. */
  epoch: z.number().int().min(0),
  epochs: z.number().int().min(1),
  /** Steps done in this epoch. */
  step: z.number().int().min(0),
  stepsPerEpoch: z.number().int().min(0),
  imagesPerSecond: z.number().min(0),
  etaSeconds: z.number().min(0).nullable(),
  /** Loss of the last step. */
  loss: z.number().nullable(),
})
/** Where a running run is. */
export type RunProgress = z.infer<typeof RunProgressSchema>

/** One finished epoch. `valAuc` is null when validation has one class only (AUC undefined). */
export const EpochMetricsSchema = z.object({
  phase: z.enum(['pretrain', 'finetune']),
  epoch: z.number().int().min(0),
  trainLoss: z.number(),
  valLoss: z.number(),
  valAuc: z.number().nullable(),
  /** Learning rate used during the epoch. */
  learningRate: z.number(),
  seconds: z.number(),
})
/** One finished epoch. */
export type EpochMetrics = z.infer<typeof EpochMetricsSchema>

/** One image as training used it: enough to prove which pixels, labels and splits produced the model. */
export const ProvenanceImageSchema = z.object({
  imageId: z.string(),
  datasetId: z.string(),
  contentHash: z.string(),
  split: z.enum(['train', 'validation']),
  /** 1 = COVID+ (fine-tuning) or the class index (pre-training). */
  label: z.number().int(),
})

/** What makes the run traceable ("every figure can be traced to the run, the data and the code version"). */
export const ProvenanceSchema = z.object({
  compositionId: z.string(),
  /** SHA-256 of the composition's canonical JSON (spec, seed, algorithm, assignments). */
  compositionHash: z.string(),
  /** Fine-tuning images (train and validation; the test split is never touched by a run). */
  images: z.array(ProvenanceImageSchema),
  /** Pre-training images when the encoder was trained by this run. */
  pretrainImages: z.array(ProvenanceImageSchema),
  /** Encoder run whose weights initialised this one (pretraining `run`). */
  encoderFromRunId: z.string().nullable(),
  seed: z.number().int(),
  /** The active TensorFlow.js backend of the worker. */
  backend: z.string(),
  versions: z.object({ app: z.string(), tfjs: z.string(), node: z.string() }),
  /** Whether the lung mask step ran (`full` preprocessing needs a segmentation model), and which model. */
  lungMask: z.object({ applied: z.boolean(), modelId: z.string().nullable() }),
  /** Key of the preprocessing settings in the input cache. */
  preprocessingKey: z.string(),
  parameters: z.number().int(),
})
/** What makes a run traceable. */
export type Provenance = z.infer<typeof ProvenanceSchema>

/** Wall-clock marks of a run (ISO strings) and time spent per activity (seconds). */
export const RunTimingsSchema = z.object({
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Seconds preparing inputs (decode + preprocess, or reading the cache). */
  prepareSeconds: z.number().min(0),
  /** Seconds in training steps and validation, over every attempt. */
  trainSeconds: z.number().min(0),
  /** How many times the run was started (1 + resumes). */
  attempts: z.number().int().min(0),
})

/** The best epoch, the one saved as the run's model. */
export const BestEpochSchema = z.object({
  phase: z.enum(['pretrain', 'finetune']),
  epoch: z.number().int(),
  valAuc: z.number().nullable(),
  valLoss: z.number(),
})

/** Everything known about a run: the Runs page's row and detail, and `record.json` on disk. */
export const RunRecordSchema = z.object({
  id: z.string(),
  config: RunConfigSchema,
  state: RunStateSchema,
  progress: RunProgressSchema.nullable(),
  history: z.array(EpochMetricsSchema),
  best: BestEpochSchema.nullable(),
  /** Why the run failed, in words a user can act on (names the file, the class, the step). */
  failureReason: z.string().nullable(),
  /** True when a checkpoint exists that `resume` continues from. */
  resumable: z.boolean(),
  provenance: ProvenanceSchema.nullable(),
  timings: RunTimingsSchema,
  /** The last log lines (the whole log is in `<dataFolder>/runs/<id>/log.txt`). */
  log: z.array(z.string()),
  /** Folder of the final model (model.json + weights.bin + card.json), once completed. */
  modelFolder: z.string().nullable(),
})
/** Everything known about a run. */
export type RunRecord = z.infer<typeof RunRecordSchema>

/** How many log lines a record keeps; the log file keeps all. */
export const RECORD_LOG_LINES = 200
