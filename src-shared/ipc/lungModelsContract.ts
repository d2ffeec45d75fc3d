import { z } from 'zod'
import { LungModelStatusSchema } from '../imaging/viewerSegmentation'
import {
  ActiveLungModelSchema,
  InstalledLungModelSchema,
  LungTrainingJobIdRequestSchema,
  LungTrainingJobSummarySchema,
  LungTrainingProgressSchema,
  LungTrainingStartRequestSchema,
  SetActiveLungModelRequestSchema,
} from '../lung/lungTraining'

/**
 * Lung models: which are installed, the one the app uses, and training a new one on library datasets with
 * masks (`LungTrainingService` and the model registry in the main process). Under the `lungModels` key.
 */
export const lungModelChannels = {
  /** Whether the lung model the app uses is installed, with its held-out Dice. */
  status: { request: z.object({}).strict(), response: LungModelStatusSchema },
  /** Train on the lung masks of library datasets; one job trains at a time, others queue. Rejects naming a dataset without lung masks. */
  train: { request: LungTrainingStartRequestSchema, response: z.object({ jobId: z.string() }) },
  /** Stop a job between steps; it ends `cancelled`, keeps its checkpoint and leaves no model folder. No-op for a finished job. */
  cancelTraining: { request: LungTrainingJobIdRequestSchema, response: z.void() },
  /** Continue a cancelled, interrupted or failed job from its last checkpoint; it ends with the model it would have had. */
  resumeTraining: { request: LungTrainingJobIdRequestSchema, response: z.void() },
  getTraining: { request: LungTrainingJobIdRequestSchema, response: LungTrainingJobSummarySchema },
  /** Jobs of this session and earlier unfinished ones, oldest first. */
  listTraining: { request: z.object({}).strict(), response: z.array(LungTrainingJobSummarySchema) },
  /** The shipped model and every model trained in the app, with their held-out scores. */
  models: { request: z.object({}).strict(), response: z.array(InstalledLungModelSchema) },
  /** Choose the lung model the app uses (persisted in `<dataFolder>/lung-model.json`). */
  setActiveModel: { request: SetActiveLungModelRequestSchema, response: ActiveLungModelSchema },
  activeModel: { request: z.object({}).strict(), response: ActiveLungModelSchema },
} as const

/** Events of lung training jobs and of the model choice. */
export const lungModelEvents = {
  'lungModels.onDidTrainingProgress': LungTrainingProgressSchema,
  'lungModels.onDidChangeActiveModel': ActiveLungModelSchema,
} as const
