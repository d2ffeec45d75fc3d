import type { BundleManifest } from '@shared/cluster'
import type { CompositionExport } from '@shared/datasets/exchange'
import type { RunConfig } from '@shared/runs/config'
import type { LungModelRef } from '@shared/runs/record'
import type { SlurmResources } from '@shared/cluster'
import type { DataPlan, FinetunePlan } from '../runs/dataPlan'

/**
 * The cluster's worker jobs (bundle export, results import): plain structured-clone data, planned on the main
 * thread from the library and the run and study records, carried out in a job worker (files, hashes, inputs).
 */

/** One run to put in a bundle, with its data resolved to this workstation's files. */
export interface ExportRunPlan {
  task: number
  runId: string
  config: RunConfig
  study: BundleManifest['runs'][number]['study']
  fromRunId: string | null
  finetune: FinetunePlan
  pretrain: DataPlan | null
  /** The lung model of `full` preprocessing (this workstation's folder), fixed now as a run fixes it when it starts. */
  lungModel: LungModelRef | null
  /** The encoder folder of a `pretraining: run` configuration, on this workstation. */
  encoder: { runId: string; folder: string } | null
}

/** Write a bundle. */
export interface BundleExportJob {
  kind: 'bundle-export'
  dataFolder: string
  /** The bundle folder to create (it must not exist yet). */
  folder: string
  bundleId: string
  createdAt: string
  appVersion: string
  source: BundleManifest['source']
  images: boolean
  runs: ExportRunPlan[]
  compositions: { compositionId: string; exported: CompositionExport }[]
  slurm: { resources: SlurmResources; command: string | null } | null
}

/** What an export job reports while it works. */
export type ClusterJobEvent = { type: 'progress'; step: string; done: number; total: number } | { type: 'log'; line: string }

/** Verify and import a bundle's finished runs. */
export interface ResultsImportJob {
  kind: 'bundle-import'
  dataFolder: string
  folder: string
  /** Installed lung models by content id (this workstation's folders), to point imported records at. */
  lungModels: Record<string, LungModelRef>
}

/** One run the import brought in, or left out with the reason. */
export interface ImportedRun {
  runId: string
  name: string
  host: string | null
  study: BundleManifest['runs'][number]['study']
}

/** What the import job did. */
export interface ResultsImportOutcome {
  imported: ImportedRun[]
  skipped: { runId: string; name: string; reason: string }[]
}
