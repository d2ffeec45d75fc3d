import { z } from 'zod'
import { BundleFolderRequestSchema, BundleStatusSchema, ClusterProgressEventSchema, ExportBundleRequestSchema, ExportResultSchema, ImportResultSchema } from '../cluster'

/** Runs on a cluster: a study or run sent as a bundle folder, its tasks followed, its results brought back. */
export const clusterChannels = {
  /** Writes a bundle with its Slurm job array into a new folder inside a folder the user chose. */
  exportBundle: { request: ExportBundleRequestSchema, response: ExportResultSchema },
  /** The bundles this data folder exported, newest first, with their tasks' states. */
  bundles: { request: z.object({}).strict(), response: z.array(BundleStatusSchema) },
  status: { request: BundleFolderRequestSchema, response: BundleStatusSchema },
  /** sbatch of the bundle's unfinished tasks, where Slurm answers from this machine. */
  submit: { request: BundleFolderRequestSchema, response: BundleStatusSchema },
  /** Brings a bundle's finished runs into the library, each checked against its hashes. */
  importResults: { request: BundleFolderRequestSchema, response: ImportResultSchema },
} as const

/** Progress of an export or import. */
export const clusterEvents = {
  'cluster.onDidProgress': ClusterProgressEventSchema,
} as const
