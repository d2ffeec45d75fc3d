import { z } from 'zod'
import { SlurmResourcesSchema } from './slurm'
import type { BundleStatus } from './status'

/** A folder path from the renderer (checked against the folders the user granted before any file is touched). */
const FolderSchema = z.string().min(1).max(4096)

/** What to export: a study's runs that have no completed run yet, or one run's configuration. */
export const BundleSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('study'), studyId: z.string().min(1).max(200).regex(/^[\w.-]+$/) }),
  z.strictObject({ kind: z.literal('run'), runId: z.string().min(1).max(200).regex(/^[\w.-]+$/) }),
])
/** What to export. */
export type BundleSource = z.infer<typeof BundleSourceSchema>

/** `exportBundle`: the bundle goes into a new folder inside `folder`; with `slurm`, a job array script beside it. */
export const ExportBundleRequestSchema = z.strictObject({
  source: BundleSourceSchema,
  folder: FolderSchema,
  slurm: SlurmResourcesSchema.omit({ appDir: true }).extend({ appDir: z.string().min(1).max(1000).regex(/^[^\n\r\0]+$/).optional() }).strict().nullable().default(null),
  /** Also ship the original radiographs (the node then prepares inputs itself); prepared inputs are always shipped. */
  images: z.boolean().default(false),
})
/** `exportBundle`'s request. */
export type ExportBundleRequest = z.input<typeof ExportBundleRequestSchema>

/** What an export wrote. */
export const ExportResultSchema = z.object({
  folder: z.string(),
  bundleId: z.string(),
  runs: z.number().int(),
  files: z.number().int(),
  bytes: z.number(),
  /** The one command to run on the cluster's login node, in the copied folder (null without a Slurm script). */
  command: z.string().nullable(),
  /** Things the user should know (a study stopped here, runs already completed left out, the backend note). */
  notes: z.array(z.string()),
})
/** What an export wrote. */
export type ExportResult = z.infer<typeof ExportResultSchema>

/** A bundle folder (to check, submit or import). */
export const BundleFolderRequestSchema = z.strictObject({ folder: FolderSchema })

/** What an import brought into the library. */
export const ImportResultSchema = z.object({
  imported: z.array(z.object({ runId: z.string(), name: z.string(), host: z.string().nullable() })),
  /** Runs not brought in, each with the reason (not finished, already imported, a file that fails its hash). */
  skipped: z.array(z.object({ runId: z.string(), name: z.string(), reason: z.string() })),
  /** Studies whose slots now point at the imported runs; resume them to evaluate the runs. */
  studies: z.array(z.object({ studyId: z.string(), name: z.string(), linked: z.number().int() })),
})
/** What an import brought in. */
export type ImportResult = z.infer<typeof ImportResultSchema>

/** Progress of a long export or import. */
export const ClusterProgressEventSchema = z.object({ folder: z.string(), action: z.enum(['export', 'import']), step: z.string(), done: z.number().int(), total: z.number().int() })
/** Progress of an export or import. */
export type ClusterProgressEvent = z.infer<typeof ClusterProgressEventSchema>

/**
 * Runs on a cluster: a study's runs (or one run) exported as a bundle with a Slurm job array, submitted where Slurm
 * answers, followed, and their results brought back into the library, every file checked against its hash.
 */
export interface ClusterService {
  exportBundle(request: ExportBundleRequest): Promise<ExportResult>
  /** Bundles this data folder exported (newest first) with their tasks' states. */
  bundles(): Promise<BundleStatus[]>
  status(request: z.input<typeof BundleFolderRequestSchema>): Promise<BundleStatus>
  /** Submits the bundle's unfinished tasks with sbatch (refused where Slurm does not answer). */
  submit(request: z.input<typeof BundleFolderRequestSchema>): Promise<BundleStatus>
  importResults(request: z.input<typeof BundleFolderRequestSchema>): Promise<ImportResult>
  onDidProgress(listener: (event: ClusterProgressEvent) => void): () => void
}
