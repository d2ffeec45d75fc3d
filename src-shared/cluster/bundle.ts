import { z } from 'zod'
import { RunConfigSchema } from '../runs/config'
import { DeterminismSchema } from '../runs/determinism'
import { SlurmResourcesSchema } from './slurm'

/*
 * A run bundle: everything a run (or a study's runs) needs to train on another machine, checked by hash. It is a
 * folder, laid out like a data folder where it matters, so the same training code reads it:
 *
 *   bundle.json                  this manifest (format, app version, the runs, every file with its SHA-256)
 *   compositions/<id>.json       each composition as exported (image content hashes and splits)
 *   plans/<sha>.json             each run's images (content hash, split, label) and where their inputs are
 *   cache/inputs/ab/<key>.f32    the prepared network inputs (the input cache's own layout)
 *   images/<hash>.<ext>          the original radiographs, when asked for
 *   lung-models/<modelId>/       the lung model of `full` preprocessing, by content id
 *   encoders/<runId>/            the encoder of a run another run starts from
 *   submit.sbatch, README.txt    the Slurm job array and the one command to run (with --slurm)
 *   results/runs/<runId>/        written on the cluster: record.json, log.txt, checkpoints/, model/, result.json
 */

/** Identifies bundle.json. */
export const BUNDLE_FORMAT = 'cxr-workstation.run-bundle'
/** Version of the bundle's shape. */
export const BUNDLE_VERSION = 1
/** The manifest's file name in a bundle folder. */
export const BUNDLE_FILE = 'bundle.json'
/** Where the cluster writes run folders inside a bundle (a data folder's `runs/` under it). */
export const BUNDLE_RESULTS_FOLDER = 'results'
/** A finished run's list of its files with their hashes, written last on the cluster. */
export const RUN_RESULT_FILE = 'result.json'
/** Identifies result.json. */
export const RUN_RESULT_FORMAT = 'cxr-workstation.run-result'

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lower-case hex')
/** A path inside the bundle: forward slashes, no `..`, never absolute, so a bundle cannot name a file outside itself. */
export const BundlePathSchema = z
  .string()
  .min(1)
  .max(1000)
  .refine((path) => !path.startsWith('/') && !path.includes('\\') && !path.split('/').some((part) => part === '..' || part === '' || part === '.'), {
    error: 'a path inside the bundle (relative, forward slashes, no "..")',
  })

/** One file of the bundle: its path, size and SHA-256, and what it is in words (for messages naming it). */
export const BundleFileSchema = z.object({ path: BundlePathSchema, bytes: z.number().int().min(0), sha256: Sha256Schema, what: z.string() })
/** One file of the bundle. */
export type BundleFile = z.infer<typeof BundleFileSchema>

/** One image of a run's plan: its identity, split and class, and where the bundle holds its input or its file. */
export const BundleImageSchema = z.object({
  imageId: z.string(),
  datasetId: z.string(),
  contentHash: z.string().min(1),
  split: z.enum(['train', 'validation']),
  /** 1 = COVID+ (fine-tuning) or the class index (pre-training). */
  label: z.number().int(),
  /** The prepared input (`cache/inputs/…`), when the bundle carries inputs. */
  input: BundlePathSchema.nullable(),
  /** The original file (`images/…`), when the bundle carries images. */
  image: BundlePathSchema.nullable(),
})
/** One image of a run's plan. */
export type BundleImage = z.infer<typeof BundleImageSchema>

/** The images of one phase of a run (the run's data plan, in its canonical content-hash order). */
export const BundlePlanSchema = z.object({
  images: z.array(BundleImageSchema),
  classes: z.number().int().min(2),
  classNames: z.array(z.string()),
  /** The composition of a fine-tuning plan and the SHA-256 of its canonical content (null for pre-training). */
  compositionId: z.string().nullable(),
  compositionHash: z.string().nullable(),
})
/** The images of one phase of a run. */
export type BundlePlan = z.infer<typeof BundlePlanSchema>

/** One run of the bundle: a task of the Slurm job array. */
export const BundleRunSchema = z.object({
  /** The array task index (0-based, in the bundle's order). */
  task: z.number().int().min(0),
  /** The run's id, fixed at export: the record comes back under it. */
  runId: z.string().regex(/^[\w.-]+$/),
  config: RunConfigSchema,
  /** The study slot this run fills, when the bundle was exported from a study. */
  study: z.object({ studyId: z.string(), studyName: z.string(), slotKey: z.string() }).nullable(),
  /** The local run whose configuration was exported, when exported from a run. */
  fromRunId: z.string().nullable(),
  finetunePlan: BundlePathSchema,
  pretrainPlan: BundlePathSchema.nullable(),
  /** The fine-tuning composition as exported (image hashes and splits). */
  composition: BundlePathSchema,
  /** Key of the input settings (preprocessing, sizes, lung model): the prepared inputs' cache key. */
  inputSettingsKey: z.string(),
  /** The lung model `full` preprocessing masks with, by content id, and its folder in the bundle. */
  lungModel: z.object({ modelId: z.string(), name: z.string(), folder: BundlePathSchema }).nullable(),
  /** The encoder a `pretraining: run` configuration starts from, and its folder in the bundle. */
  encoder: z.object({ runId: z.string(), folder: BundlePathSchema }).nullable(),
})
/** One run of the bundle. */
export type BundleRun = z.infer<typeof BundleRunSchema>

/** The workstation that exported the bundle: a node with the same backend and threads repeats its runs bit for bit. */
export const BundleReferenceSchema = z.object({
  host: z.string(),
  backend: z.string(),
  threads: z.number().int().nullable(),
  determinism: DeterminismSchema,
})
/** The exporting workstation's engine. */
export type BundleReference = z.infer<typeof BundleReferenceSchema>

/** bundle.json. */
export const BundleManifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  bundleId: z.string().regex(/^bundle-[\w-]+$/),
  /** The app version that exported it; the cluster must run the same one (or be told to accept another). */
  appVersion: z.string(),
  createdAt: z.string(),
  /** What was exported, as the user named it. */
  source: z.object({ kind: z.enum(['study', 'run', 'config']), id: z.string(), name: z.string() }),
  /** What the bundle carries for each image: its prepared input (exact, compact), its original file, or both. */
  contents: z.object({ inputs: z.boolean(), images: z.boolean() }),
  reference: BundleReferenceSchema,
  runs: z.array(BundleRunSchema).min(1),
  files: z.array(BundleFileSchema),
  /** The resources asked for when a Slurm script was written (null without --slurm). */
  slurm: SlurmResourcesSchema.nullable(),
})
/** bundle.json. */
export type BundleManifest = z.infer<typeof BundleManifestSchema>

/** result.json: a finished run's files and their hashes, written by the cluster after everything else. */
export const RunResultSchema = z.object({
  format: z.literal(RUN_RESULT_FORMAT),
  version: z.literal(1),
  bundleId: z.string(),
  /** SHA-256 of the bundle.json the run was trained from. */
  bundleDigest: Sha256Schema,
  runId: z.string(),
  task: z.number().int().min(0),
  completedAt: z.string(),
  /** Paths relative to the run folder. */
  files: z.array(BundleFileSchema),
})
/** result.json. */
export type RunResult = z.infer<typeof RunResultSchema>

/** A bundle that cannot be used as it is: the message names the file (and what it is) and what to do. */
export class BundleError extends Error {
  override name = 'BundleError'
}

/** The path of a run's folder inside a bundle (where the cluster writes it). */
export function bundleRunFolder(runId: string): string {
  return `${BUNDLE_RESULTS_FOLDER}/runs/${runId}`
}

/**
 * The files a run reads from the bundle: its plans and composition, its inputs or images, its lung model and
 * encoder. A node checks exactly these before it trains (a task never waits for the whole bundle to be hashed).
 */
export function filesOfRun(manifest: BundleManifest, run: BundleRun, plans: readonly BundlePlan[]): BundleFile[] {
  const byPath = new Map(manifest.files.map((file) => [file.path, file]))
  const wanted = new Set<string>([run.finetunePlan, run.composition])
  if (run.pretrainPlan) wanted.add(run.pretrainPlan)
  for (const plan of plans) {
    for (const image of plan.images) {
      if (image.input) wanted.add(image.input)
      if (image.image) wanted.add(image.image)
    }
  }
  for (const folder of [run.lungModel?.folder, run.encoder?.folder]) {
    if (!folder) continue
    for (const file of manifest.files) if (file.path.startsWith(`${folder}/`)) wanted.add(file.path)
  }
  return [...wanted].map((path) => {
    const file = byPath.get(path)
    if (!file) throw new BundleError(`bundle.json does not list ${path}, which run ${run.runId} needs: the bundle is incomplete; export it again`)
    return file
  })
}
