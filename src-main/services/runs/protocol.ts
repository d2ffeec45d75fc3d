import type { RunConfig } from '@shared/runs/config'
import type { EpochMetrics, LungModelRef, Provenance, RunProgress, RunRecord } from '@shared/runs/record'
import type { Prediction, RunEstimate } from '@shared/runs/service'
import type { BackendPreference, EngineReport } from '@shared/system/engineTypes'
import type { DataPlan, FinetunePlan } from './dataPlan'

/**
 * Messages between the runs service (main thread) and a run worker. Plain structured-clone data only: the
 * worker has its own tf instance, and nothing but these messages crosses.
 */

/** The backend the worker climbs to (the same ladder as the main engine). */
export interface WorkerBackend {
  preference: BackendPreference
  source: EngineReport['preferenceSource']
}

/** Train (or continue training) one run. */
export interface TrainJob {
  kind: 'train'
  runId: string
  runFolder: string
  dataFolder: string
  config: RunConfig
  finetune: FinetunePlan
  pretrain: DataPlan | null
  /** `encoder/` folder of the run named by `pretraining: { kind: 'run' }`. */
  encoderFolder: string | null
  /**
   * The lung model `full` preprocessing masks with: fixed when the run first started and kept by every resume
   * (null for `equalize` and `raw`). The worker loads it itself and checks its content id.
   */
  lungModel: LungModelRef | null
  appVersion: string
}

/** COVID+ probabilities of image files under a saved model. */
export interface PredictJob {
  kind: 'predict'
  modelFolder: string
  imagePaths: string[]
  dataFolder: string
  /** The lung model the run trained with (found by the content id on its model card), when it masked. */
  lungModel: LungModelRef | null
}

/** Time a few training steps of a configuration. */
export interface EstimateJob {
  kind: 'estimate'
  config: RunConfig
  /** Images per epoch of each phase, to scale the measured step. */
  trainImages: { pretrain: number; finetune: number }
  validationImages: { pretrain: number; finetune: number }
}

/** Any job a worker runs. */
export type WorkerJob = TrainJob | PredictJob | EstimateJob

/** Fields of a run record the training side fills in. */
export interface RecordPatch {
  provenance?: Provenance
  history?: EpochMetrics[]
  best?: RunRecord['best']
  modelFolder?: string
  prepareSeconds?: number
  trainSeconds?: number
}

/** What a job ends with. */
export type JobResult =
  | { kind: 'train'; outcome: 'completed' | 'cancelled' }
  | { kind: 'predict'; predictions: Prediction[] }
  | { kind: 'estimate'; estimate: RunEstimate }

/** Main → worker. */
export type ToWorker =
  | { type: 'job'; job: WorkerJob; backend: WorkerBackend }
  | { type: 'cancel' }

/** Worker → main. */
export type FromWorker =
  | { type: 'log'; line: string }
  | { type: 'progress'; progress: RunProgress }
  | { type: 'epoch'; metrics: EpochMetrics }
  | { type: 'patch'; patch: RecordPatch }
  | { type: 'batch'; phase: string; epoch: number; step: number; indices: number[] }
  | { type: 'result'; result: JobResult }
  /** `failure`: a RunFailure (reason shown as is); `error`: anything else (message and stack for the log). */
  | { type: 'failed'; reason: string; expected: boolean; stack: string | null }
