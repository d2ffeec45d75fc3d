import { z } from 'zod'
import {
  ActiveLungModelSchema,
  InstalledLungModelSchema,
  LungTrainingJobIdRequestSchema,
  LungTrainingJobSummarySchema,
  LungTrainingProgressSchema,
  LungTrainingStartRequestSchema,
  SetActiveLungModelRequestSchema,
} from '../segmentation/lungTraining'

/**
 * Lung U-Net training from the app and the choice of lung model (`LungTrainingService` in the main process).
 * Meant to sit under a `lungTraining` key of the contract.
 */
export const lungTrainingChannels = {
  /** Train on the lung masks of library datasets; one job trains at a time, others queue. Rejects naming a dataset without lung masks. */
  start: { request: LungTrainingStartRequestSchema, response: z.object({ jobId: z.string() }) },
  /** Stop a job between steps; it ends `cancelled` and leaves no model folder. No-op for a finished job. */
  cancel: { request: LungTrainingJobIdRequestSchema, response: z.void() },
  get: { request: LungTrainingJobIdRequestSchema, response: LungTrainingJobSummarySchema },
  /** Jobs of this session, oldest first. */
  list: { request: z.object({}).strict(), response: z.array(LungTrainingJobSummarySchema) },
  /** The shipped model and every model trained in the app, with their held-out scores. */
  models: { request: z.object({}).strict(), response: z.array(InstalledLungModelSchema) },
  /** Choose the lung model the app uses (persisted in `<dataFolder>/lung-model.json`). */
  setActiveModel: { request: SetActiveLungModelRequestSchema, response: ActiveLungModelSchema },
  activeModel: { request: z.object({}).strict(), response: ActiveLungModelSchema },
} as const

/** Events of lung training jobs and of the model choice. */
export const lungTrainingEvents = {
  'lungTraining.onDidProgress': LungTrainingProgressSchema,
  'lungTraining.onDidChangeActiveModel': ActiveLungModelSchema,
} as const
