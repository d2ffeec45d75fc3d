import { z } from 'zod'
import { RunConfigSchema, type RunConfig } from './config'
import { DeterminismSchema } from './determinism'

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
  /** Data loss of the last step (without the weight-decay penalty). */
  loss: z.number().nullable(),
})
/** Where a running run is. */
export type RunProgress = z.infer<typeof RunProgressSchema>

/** One finished epoch. `valAuc` is null when validation has one class only (AUC undefined). */
export const EpochMetricsSchema = z.object({
  phase: z.enum(['pretrain', 'finetune']),
  epoch: z.number().int().min(0),
  /** Mean data loss (BCE or focal, class-weighted) over the epoch's steps: the weight-decay penalty is not in it. */
  trainLoss: z.number(),
  /** Mean weight-decay penalty (weightDecay/2 · Σ‖kernel‖²) over the epoch's steps; 0 without weight decay. */
  trainPenalty: z.number().default(0),
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

/**
 * A lung model as a run (or an evaluation) uses it: its content id decides the masks (see `lungModelIdentity`),
 * its name is for people, its folder is where it was found when the run started.
 */
export const LungModelRefSchema = z.object({ modelId: z.string().min(1), name: z.string(), folder: z.string() })
/** A lung model as a run uses it. */
export type LungModelRef = z.infer<typeof LungModelRefSchema>

/**
 * Where a run trained: the machine's name, and for a run trained from a cluster bundle the scheduler's job and
 * the bundle (its id and the SHA-256 of its bundle.json) it came in, with what the exporting workstation ran, so a
 * reader knows whether the numbers can repeat there bit for bit.
 */
export const TrainedOnSchema = z.object({
  /** Host name of the machine (a cluster node's name for a run trained from a bundle). */
  host: z.string(),
  cluster: z
    .object({
      scheduler: z.enum(['slurm', 'none']),
      /** The Slurm job (`<array job>_<task>`), null when the bundle was trained by hand. */
      jobId: z.string().nullable(),
      partition: z.string().nullable(),
      bundleId: z.string(),
      bundleDigest: z.string(),
      task: z.number().int().min(0),
      /** The exporting workstation's backend and threads: equal ones give the local run's numbers bit for bit. */
      exportedFrom: z.object({ host: z.string(), backend: z.string(), threads: z.number().int().nullable() }),
      /** True when the node trained on the exporter's backend with its thread count. */
      sameEngine: z.boolean(),
    })
    .nullable(),
})
/** Where a run trained. */
export type TrainedOn = z.infer<typeof TrainedOnSchema>

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
  /** Whether the lung mask step ran (`full` preprocessing), and with which lung model (content id and name). */
  lungMask: z.object({ applied: z.boolean(), modelId: z.string().nullable(), name: z.string().nullable().default(null) }),
  /** Key of the preprocessing settings in the input cache. */
  preprocessingKey: z.string(),
  parameters: z.number().int(),
  /** What repeats bit for bit on this backend and thread count (absent in records written before it was recorded). */
  determinism: DeterminismSchema.nullable().default(null),
  /** The machine (and cluster job) that trained it (absent in records written before it was recorded). */
  trainedOn: TrainedOnSchema.nullable().default(null),
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
  /**
   * Wall-clock seconds of every attempt, start to end (preparation overlaps training, so this is less than the two
   * above added up); absent in records written before it was kept.
   */
  wallSeconds: z.number().min(0).optional(),
  /** The time the launcher estimated for the whole run when it was started; null or absent when none was made. */
  estimatedSeconds: z.number().min(0).nullable().optional(),
})

/** The best epoch, the one saved as the run's model. */
export const BestEpochSchema = z.object({
  phase: z.enum(['pretrain', 'finetune']),
  epoch: z.number().int(),
  valAuc: z.number().nullable(),
  valLoss: z.number(),
})

/**
 * What a run's inputs are made with, fixed when it first starts and kept by every resume, so a run never trains
 * its later epochs on inputs prepared differently from its first ones (another lung model chosen meanwhile, or the
 * command line and the app finding different models).
 */
export const RunInputsSchema = z.object({
  /** The lung model of `full` preprocessing; null for `equalize` and `raw`. */
  lungModel: LungModelRefSchema.nullable(),
  /** Key of the input settings in the input cache (preprocessing, sizes, lung model). */
  settingsKey: z.string(),
})
/** What a run's inputs are made with. */
export type RunInputs = z.infer<typeof RunInputsSchema>

/**
 * The process that trains a run (its lease, in `<runFolder>/owner.json`, renewed by a heartbeat). Another process
 * on the same data folder (the app beside `cxr train`) shows the run as running there and never resumes, deletes
 * or marks it interrupted while the lease lives.
 */
export const RunOwnerSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  /** `app` (desktop or browser mode) or `cli`. */
  kind: z.string(),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  /** True when this process is the owner (false: another process; the record's progress is read from its files). */
  thisProcess: z.boolean(),
})
/** The process that trains a run. */
export type RunOwner = z.infer<typeof RunOwnerSchema>

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
  /** Fixed at the first start (null before). */
  inputs: RunInputsSchema.nullable().default(null),
  /** Who trains it now, while queued or running (not stored in record.json: read from the lease). */
  owner: RunOwnerSchema.nullable().default(null),
})
/** Everything known about a run. */
export type RunRecord = z.infer<typeof RunRecordSchema>

/** A run's record as it is first written, before anything has trained: queued, no history, no provenance. */
export function newRunRecord(id: string, config: RunConfig, createdAt: string, inputs: RunRecord['inputs'] = null): RunRecord {
  return {
    id,
    config,
    state: 'queued',
    progress: null,
    history: [],
    best: null,
    failureReason: null,
    resumable: false,
    provenance: null,
    timings: { createdAt, startedAt: null, finishedAt: null, prepareSeconds: 0, trainSeconds: 0, attempts: 0 },
    log: [],
    modelFolder: null,
    inputs,
    owner: null,
  }
}

/** How many log lines a record keeps; the log file keeps all. */
export const RECORD_LOG_LINES = 200
