import type { RunConfig } from '@shared/runs/config'
import type { EpochMetrics, LungModelRef, Provenance, RunProgress, RunRecord } from '@shared/runs/record'
import type { Prediction, RunEstimate } from '@shared/runs/service'
import type { DataPlan, FinetunePlan } from './dataPlan'

/**
 * The jobs of the runs (train, predict, estimate) as the runs service sends them to a job worker: plain
 * structured-clone data only (see workers/protocol.ts).
 */

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
  /** Workers that prepare missing inputs side by side (the cores, in the app); absent: one, on the training thread. */
  preparationLanes?: number
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

/** Fields of a run record the training side fills in. */
export interface RecordPatch {
  provenance?: Provenance
  history?: EpochMetrics[]
  best?: RunRecord['best']
  modelFolder?: string
  prepareSeconds?: number
  trainSeconds?: number
}
