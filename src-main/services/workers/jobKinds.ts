/**
 * Every kind of job that runs off the main thread, by name. The worker entry and the in-process launcher (tests)
 * both dispatch through this table, so a job runs the same code wherever it runs.
 */
import { bundleExportExecutor, resultsImportExecutor } from '../cluster/clusterJobs'
import { importExecutor, importLaneExecutor } from '../datasets/import/importJob'
import { prepareInputsExecutor } from '../inputs/prepareInputsJob'
import { gradCamExecutor, modelOutputsExecutor, tsneExecutor } from '../evaluation/evaluationJobs'
import { segmentDatasetExecutor } from '../lung/masks/segmentDatasetJob'
import { trainLungModelExecutor } from '../lung/training/trainLungModelJob'
import { estimateExecutor, predictExecutor, trainExecutor } from '../runs/runExecutors'
import type { JobExecutor } from './jobIo'

export const JOB_KINDS = {
  train: trainExecutor,
  predict: predictExecutor,
  estimate: estimateExecutor,
  'model-outputs': modelOutputsExecutor,
  tsne: tsneExecutor,
  'grad-cam': gradCamExecutor,
  'segment-dataset': segmentDatasetExecutor,
  'train-lung-model': trainLungModelExecutor,
  import: importExecutor,
  'import-lane': importLaneExecutor,
  'prepare-inputs': prepareInputsExecutor,
  'bundle-export': bundleExportExecutor,
  'bundle-import': resultsImportExecutor,
} as const

/** A job kind's name. */
export type JobKind = keyof typeof JOB_KINDS
type ExecutorOf<K extends JobKind> = (typeof JOB_KINDS)[K]
/** What a job of kind K takes. */
export type PayloadOf<K extends JobKind> = ExecutorOf<K> extends JobExecutor<infer P, unknown, unknown> ? P : never
/** What a job of kind K reports while it runs. */
export type EventOf<K extends JobKind> = ExecutorOf<K> extends JobExecutor<unknown, infer E, unknown> ? E : never
/** What a job of kind K ends with. */
export type ResultOf<K extends JobKind> = ExecutorOf<K> extends JobExecutor<unknown, unknown, infer R> ? R : never

/** The executor of a kind, or undefined for a name that is none. */
export function executorOf(kind: string): JobExecutor<unknown, unknown, unknown> | undefined {
  return Object.hasOwn(JOB_KINDS, kind) ? (JOB_KINDS[kind as JobKind] as unknown as JobExecutor<unknown, unknown, unknown>) : undefined
}
