import { join } from 'node:path'
import {
  BUNDLE_FILE,
  BundleError,
  BundleManifestSchema,
  BundlePlanSchema,
  filesOfRun,
  type BundleManifest,
  type BundlePlan,
  type BundleRun,
} from '@shared/cluster'
import { CompositionExportSchema, type CompositionExport } from '@shared/datasets/exchange'
import { hashFile } from '../library/hashing'
import { readBundleJson, verifyFiles } from './bundleFiles'

/** A bundle's manifest with the SHA-256 of its bundle.json (the bundle's digest, recorded by every run it trains). */
export interface OpenedBundle {
  folder: string
  manifest: BundleManifest
  digest: string
}

/** Reads bundle.json; refuses a folder that is not a bundle, naming the file. */
export async function openBundle(folder: string): Promise<OpenedBundle> {
  const file = join(folder, BUNDLE_FILE)
  const manifest = await readBundleJson(file, BundleManifestSchema, 'a run bundle of the CXR Workstation (bundle.json)')
  return { folder, manifest, digest: (await hashFile(file)).contentHash }
}

/**
 * Refuses a bundle exported by another app version: a run is a function of the code too, so a different version
 * could train a different model under the same record. `accept` trains anyway (the run's record says which
 * version trained it).
 */
export function checkAppVersion(manifest: BundleManifest, appVersion: string, accept: boolean): string | null {
  if (manifest.appVersion === appVersion) return null
  const message = `this bundle was exported by CXR Workstation ${manifest.appVersion} and this machine runs ${appVersion}`
  if (!accept) throw new BundleError(`${message}: install ${manifest.appVersion} here (the same release, npm ci), or pass --accept-version to train anyway (the results may then differ from the workstation's)`)
  return `${message}: trained anyway, as asked (--accept-version)`
}

/** A run of the bundle by task index. */
export function runOfTask(manifest: BundleManifest, task: number): BundleRun {
  const run = manifest.runs.find((candidate) => candidate.task === task)
  if (!run) throw new BundleError(`the bundle has tasks 0 to ${manifest.runs.length - 1}; there is no task ${task}`)
  return run
}

/** A run's plans and composition, each checked against its hash first, and the plan checked against the composition. */
export interface RunFiles {
  finetune: BundlePlan
  pretrain: BundlePlan | null
  composition: CompositionExport
}

/**
 * Checks every file a run reads against the bundle's hashes (plans and composition first, then inputs or images,
 * lung model, encoder) and reads its plans. Throws naming the first file missing or changed.
 */
export async function verifyRun(bundle: OpenedBundle, run: BundleRun, onFile?: (done: number, total: number) => void): Promise<RunFiles> {
  const { folder, manifest } = bundle
  const listed = new Map(manifest.files.map((file) => [file.path, file]))
  const head = [run.finetunePlan, run.composition, ...(run.pretrainPlan ? [run.pretrainPlan] : [])].map((path) => {
    const file = listed.get(path)
    if (!file) throw new BundleError(`bundle.json does not list ${path}, which run ${run.runId} needs: the bundle is incomplete; export it again`)
    return file
  })
  await verifyFiles(folder, head, 'the bundle')
  const finetune = await readBundleJson(join(folder, run.finetunePlan), BundlePlanSchema, 'a run plan')
  const pretrain = run.pretrainPlan ? await readBundleJson(join(folder, run.pretrainPlan), BundlePlanSchema, 'a run plan') : null
  const composition = await readBundleJson(join(folder, run.composition), CompositionExportSchema, 'a composition export')
  checkPlanAgainstComposition(finetune, composition, run)
  const headPaths = new Set(head.map((file) => file.path))
  const rest = filesOfRun(manifest, run, pretrain ? [finetune, pretrain] : [finetune]).filter((file) => !headPaths.has(file.path))
  await verifyFiles(folder, rest, 'the bundle', onFile)
  return { finetune, pretrain, composition }
}

/** Every fine-tuning image of the plan is in the composition export with the same split and class. */
function checkPlanAgainstComposition(plan: BundlePlan, composition: CompositionExport, run: BundleRun): void {
  const entries = new Map(composition.images.map((image) => [`${image.datasetId}\u0000${image.imageId}\u0000${image.contentHash}`, image]))
  for (const image of plan.images) {
    const entry = entries.get(`${image.datasetId}\u0000${image.imageId}\u0000${image.contentHash}`)
    const label = entry?.binaryLabel === 'positive' ? 1 : 0
    if (!entry || entry.split !== image.split || label !== image.label) {
      throw new BundleError(`${run.finetunePlan}: image ${image.imageId} of dataset "${image.datasetId}" is ${entry ? `${entry.split}/${entry.binaryLabel} in the composition but ${image.split}/${image.label} in the plan` : 'not in the composition'} (${run.composition}): the bundle is inconsistent; export it again`)
    }
  }
}
