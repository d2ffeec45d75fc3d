import { z } from 'zod'
import { OverlapSummarySchema } from './modelCard'

/**
 * Requests and results of lung U-Net training from the app (`LungTrainingService` in the main process) and of
 * choosing which lung model the app uses. Everything that crosses IPC is parsed with these.
 */

const DatasetId = z.string().trim().min(1).max(200)
const JobId = z.string().min(1).max(100)
const Folder = z.string().min(1).max(4096)

/**
 * `start`: train a U-Net on the lung masks of library datasets. Omitted settings take the service's defaults
 * (those of the shipped model, `LUNG_TRAINING_DEFAULTS`). `inputSize` must be divisible by 2^depth (the U-Net
 * halves it `depth` times); the service says so when it is not.
 */
export const LungTrainingStartRequestSchema = z
  .object({
    datasetIds: z.array(DatasetId).min(1).max(50),
    inputSize: z.number().int().min(8).max(1024).optional(),
    epochs: z.number().int().min(1).max(1000).optional(),
    baseFilters: z.number().int().min(1).max(128).optional(),
    depth: z.number().int().min(1).max(8).optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    /** Shown in the model list and written as the card's `name`. */
    name: z.string().trim().min(1).max(120).optional(),
  })
  .strict()
/** A `start` request as the renderer writes it. */
export type LungTrainingStartRequest = z.input<typeof LungTrainingStartRequestSchema>

/** A training job's id. */
export const LungTrainingJobIdRequestSchema = z.object({ jobId: JobId }).strict()

/**
 * Life of a training job: `queued` behind another (one trains at a time: the U-Net takes the CPU), `loading`
 * (reading and checking image/mask pairs), `training`, `evaluating` (held-out patients at the images' own size),
 * then `completed` (model folder written), `cancelled` or `failed` (neither leaves a model folder), or `interrupted`
 * (the program stopped while it trained). A cancelled, interrupted or failed job keeps its last checkpoint and can
 * be resumed.
 */
export const LungTrainingStatusSchema = z.enum(['queued', 'loading', 'training', 'evaluating', 'completed', 'cancelled', 'failed', 'interrupted'])
/** Life of a training job. */
export type LungTrainingStatus = z.infer<typeof LungTrainingStatusSchema>

/** One progress event: after training steps (throttled), after each epoch, and at each status change. */
export const LungTrainingProgressSchema = z.object({
  jobId: z.string(),
  status: LungTrainingStatusSchema,
  /** 1-based epoch in progress (or last finished); 0 before training starts. */
  epoch: z.number().int().min(0),
  /** Maximum epochs; early stopping or the time budget may end sooner. */
  epochs: z.number().int().min(0),
  /** 1-based step within the epoch; 0 before the first. */
  step: z.number().int().min(0),
  /** Steps per epoch; 0 until the data is loaded. */
  steps: z.number().int().min(0),
  /** Loss of the last step ((1 − soft Dice) + BCE); null before the first. */
  loss: z.number().nullable(),
  /** Validation Dice of the last finished epoch (network size, threshold 0.5); null before the first. */
  valDice: z.number().nullable(),
  /** Seconds of training left if every epoch runs (an upper bound: early stopping ends sooner); null until known. */
  etaSeconds: z.number().min(0).nullable(),
})
/** One progress event. */
export type LungTrainingProgress = z.infer<typeof LungTrainingProgressSchema>

/** A job as listed: its progress, what it was asked, and how it ended. */
export const LungTrainingJobSummarySchema = LungTrainingProgressSchema.extend({
  name: z.string(),
  datasetIds: z.array(z.string()),
  /** The settings the job trains with (request merged with defaults). */
  settings: z.object({ inputSize: z.number().int(), epochs: z.number().int(), baseFilters: z.number().int(), depth: z.number().int(), seed: z.number().int() }),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  /** The model folder once `completed`. */
  modelFolder: z.string().nullable(),
  /** Held-out scores from the card once `completed`. */
  heldOut: OverlapSummarySchema.nullable(),
  /** The last lines of the job's log (data checks, split sizes, stop reason). */
  log: z.array(z.string()),
  /** Resume continues it from its last checkpoint (cancelled, interrupted or failed, and not trained elsewhere). */
  resumable: z.boolean(),
})
/** A job as listed. */
export type LungTrainingJobSummary = z.infer<typeof LungTrainingJobSummarySchema>

/** Where an installed lung model comes from. */
export const LungModelSourceSchema = z.enum(['shipped', 'trained'])

/** An installed lung model: the shipped one or one trained in the app. */
export const InstalledLungModelSchema = z.object({
  /** `shipped`, or the training job's id. */
  id: z.string(),
  source: LungModelSourceSchema,
  folder: z.string(),
  name: z.string(),
  createdAt: z.string().nullable(),
  inputSize: z.number().int(),
  depth: z.number().int(),
  baseFilters: z.number().int(),
  /** Library datasets it was trained on (empty for the shipped model). */
  datasetIds: z.array(z.string()),
  /** Held-out (patient-disjoint) scores from its card. */
  heldOut: OverlapSummarySchema,
  /** True for the model the app uses. */
  active: z.boolean(),
})
/** An installed lung model. */
export type InstalledLungModel = z.infer<typeof InstalledLungModelSchema>

/** `setActiveModel`: one of the folders `models()` lists. */
export const SetActiveLungModelRequestSchema = z.object({ folder: Folder }).strict()

/** The lung model the app uses, and why. */
export const ActiveLungModelSchema = z.object({
  folder: z.string(),
  source: LungModelSourceSchema,
  id: z.string(),
  /** False when nothing was chosen (or the choice is gone) and the shipped model is used. */
  chosen: z.boolean(),
  /** Why a stored choice was not honoured (its folder was deleted or its card no longer parses); null otherwise. */
  fallbackReason: z.string().nullable(),
})
/** The lung model the app uses. */
export type ActiveLungModel = z.infer<typeof ActiveLungModelSchema>
