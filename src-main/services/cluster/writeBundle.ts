import { existsSync } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { hostname } from 'node:os'
import { extname, join, relative, sep } from 'node:path'
import {
  BUNDLE_FILE,
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  renderClusterReadme,
  renderSubmitScript,
  SLURM_LOG_FOLDER,
  SUBMIT_SCRIPT,
  type BundleFile,
  type BundleManifest,
  type BundlePlan,
  type BundleRun,
} from '@shared/cluster'
import { determinismOf } from '@shared/runs/determinism'
import type { EngineReport } from '@shared/system/engineTypes'
import { createInputPipeline, createLungMasker, inputCacheFile, inputSettingsKey, type InputPipeline, type InputSettings, type LungMasker } from '../inputs'
import { describePlannedImage } from '../runs/planInputs'
import type { DataPlan, PlannedImage } from '../runs/dataPlan'
import type { JobContext } from '../workers/jobIo'
import { JobFailure } from '../workers/jobIo'
import { copyIntoBundle, filesIn, writeIntoBundle } from './bundleFiles'
import type { BundleExportJob, ClusterJobEvent, ExportRunPlan } from './protocol'

/** A path relative to a folder, with forward slashes (bundle paths are the same on every system). */
function bundlePath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/')
}

/** What the written bundle holds. */
export interface WrittenBundle {
  manifest: BundleManifest
  bytes: number
}

/**
 * Writes a bundle: every run's prepared inputs (prepared now through the one input pipeline when not cached yet,
 * which also fills this workstation's cache), the original images when asked, the lung models and encoders the
 * runs need, each run's plan and composition, bundle.json listing every file with its SHA-256, and with Slurm
 * resources the batch script and README.txt. The bundle is written under `<folder>.partial` and renamed into
 * place at the end, so a folder named like the bundle is always complete.
 */
export async function writeBundle(job: BundleExportJob, context: JobContext<ClusterJobEvent>): Promise<WrittenBundle> {
  if (existsSync(job.folder)) throw new JobFailure(`${job.folder} exists already: give a new folder for the bundle`)
  const staging = `${job.folder}.partial`
  await rm(staging, { recursive: true, force: true })
  await mkdir(staging, { recursive: true })
  try {
    const written = await fill(job, staging, context)
    await rename(staging, job.folder)
    return written
  } catch (error) {
    await rm(staging, { recursive: true, force: true })
    throw error
  }
}

async function fill(job: BundleExportJob, root: string, context: JobContext<ClusterJobEvent>): Promise<WrittenBundle> {
  const files = new Map<string, BundleFile>()
  const add = (file: BundleFile) => files.set(file.path, file)
  const images = job.runs.flatMap((run) => [...run.finetune.images, ...(run.pretrain?.images ?? [])].map((image) => ({ run, image })))
  const maskers = new Map<string, LungMasker>()
  const pipelines = new Map<string, InputPipeline>()
  const progress = (step: string, done: number, total: number) => context.emit({ type: 'progress', step, done, total })

  const pipelineOf = (run: ExportRunPlan): InputPipeline => {
    const settings = settingsOf(run)
    const key = inputSettingsKey(settings)
    let pipeline = pipelines.get(key)
    if (!pipeline) {
      let masker: LungMasker | null = null
      if (run.lungModel) {
        masker = maskers.get(run.lungModel.modelId) ?? context.lungMaskers?.for(run.lungModel) ?? createLungMasker(run.lungModel)
        maskers.set(run.lungModel.modelId, masker)
      }
      pipeline = createInputPipeline({ dataFolder: job.dataFolder, settings, lungMasker: masker, log: (line) => context.emit({ type: 'log', line }) })
      pipelines.set(key, pipeline)
    }
    return pipeline
  }

  try {
    for (const [index, { run, image }] of images.entries()) {
      if (context.shouldStop()) throw new JobFailure('the export was cancelled')
      const pipeline = pipelineOf(run)
      const cached = inputCacheFile(job.dataFolder, image.contentHash, pipeline.settingsKey)
      const path = bundlePath(job.dataFolder, cached)
      if (!files.has(path)) {
        try {
          await pipeline.prepare({ path: image.path, contentHash: image.contentHash, description: describePlannedImage(image) })
        } catch (error) {
          throw new JobFailure((error as Error).message)
        }
        add(await copyIntoBundle(cached, root, path, `the prepared input of ${describePlannedImage(image)}`))
      }
      if (job.images) {
        const original = `images/${image.contentHash}${extname(image.path).toLowerCase()}`
        if (!files.has(original)) add(await copyIntoBundle(image.path, root, original, `the file of ${describePlannedImage(image)}`))
      }
      progress('preparing and copying inputs', index + 1, images.length)
    }
  } finally {
    for (const masker of maskers.values()) masker.dispose()
  }

  for (const ref of new Map(job.runs.flatMap((run) => (run.lungModel ? [[run.lungModel.modelId, run.lungModel] as const] : []))).values()) {
    for (const name of await filesIn(ref.folder)) add(await copyIntoBundle(join(ref.folder, name), root, `lung-models/${ref.modelId}/${name}`, `a file of the lung model "${ref.name}"`))
  }
  for (const encoder of new Map(job.runs.flatMap((run) => (run.encoder ? [[run.encoder.runId, run.encoder] as const] : []))).values()) {
    for (const name of await filesIn(encoder.folder)) add(await copyIntoBundle(join(encoder.folder, name), root, `encoders/${encoder.runId}/${name}`, `a file of the pre-trained encoder of run ${encoder.runId}`))
  }
  const compositionPaths = new Map<string, string>()
  for (const { compositionId, exported } of job.compositions) {
    const path = `compositions/${safeName(compositionId)}.json`
    add(await writeIntoBundle(root, path, `${JSON.stringify(exported, null, 2)}\n`, `the composition "${exported.spec.name}" as exported`))
    compositionPaths.set(compositionId, path)
  }

  const runs: BundleRun[] = []
  for (const run of job.runs) {
    const settings = settingsOf(run)
    const planPath = async (plan: DataPlan, composition: { compositionId: string; compositionHash: string } | null, what: string) => {
      const bundled: BundlePlan = {
        images: plan.images.map((image) => bundledImage(job, image, settings)),
        classes: plan.classes,
        classNames: plan.classNames,
        compositionId: composition?.compositionId ?? null,
        compositionHash: composition?.compositionHash ?? null,
      }
      const text = `${JSON.stringify(bundled)}\n`
      const path = `plans/${createHash('sha256').update(text).digest('hex').slice(0, 32)}.json`
      if (!files.has(path)) add(await writeIntoBundle(root, path, text, what))
      return path
    }
    runs.push({
      task: run.task,
      runId: run.runId,
      config: run.config,
      study: run.study,
      fromRunId: run.fromRunId,
      finetunePlan: await planPath(run.finetune, run.finetune, `the fine-tuning images of run ${run.runId}`),
      pretrainPlan: run.pretrain ? await planPath(run.pretrain, null, `the pre-training images of run ${run.runId}`) : null,
      composition: compositionPaths.get(run.config.compositionId)!,
      inputSettingsKey: inputSettingsKey(settings),
      lungModel: run.lungModel ? { modelId: run.lungModel.modelId, name: run.lungModel.name, folder: `lung-models/${run.lungModel.modelId}` } : null,
      encoder: run.encoder ? { runId: run.encoder.runId, folder: `encoders/${run.encoder.runId}` } : null,
    })
  }

  const engine = context.engine as EngineReport
  const determinism = determinismOf(engine)
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    bundleId: job.bundleId,
    appVersion: job.appVersion,
    createdAt: job.createdAt,
    source: job.source,
    contents: { inputs: true, images: job.images },
    reference: { host: hostname(), backend: engine.active, threads: determinism.threads, determinism },
    runs,
    files: [...files.values()].sort((a, b) => (a.path < b.path ? -1 : 1)),
    slurm: job.slurm?.resources ?? null,
  }
  await writeIntoBundle(root, BUNDLE_FILE, `${JSON.stringify(manifest, null, 2)}\n`, 'the bundle manifest')
  if (job.slurm) {
    const scriptInput = { name: job.source.name, appVersion: job.appVersion, runs: runs.map((run) => ({ task: run.task, runId: run.runId, name: run.config.name || run.runId })), resources: job.slurm.resources, command: job.slurm.command }
    await writeIntoBundle(root, SUBMIT_SCRIPT, renderSubmitScript(scriptInput), 'the Slurm batch script')
    await writeIntoBundle(
      root,
      'README.txt',
      renderClusterReadme({ ...scriptInput, exportedFrom: manifest.reference, createdAt: job.createdAt, folderName: job.folder.split(sep).pop()! }),
      'what to do on the cluster',
    )
    await mkdir(join(root, SLURM_LOG_FOLDER), { recursive: true })
  }
  return { manifest, bytes: manifest.files.reduce((sum, file) => sum + file.bytes, 0) }
}

function settingsOf(run: ExportRunPlan): InputSettings {
  return { preprocessing: run.config.preprocessing, input: run.config.input, lungModelId: run.lungModel?.modelId ?? null }
}

function bundledImage(job: BundleExportJob, image: PlannedImage, settings: InputSettings) {
  return {
    imageId: image.imageId,
    datasetId: image.datasetId,
    contentHash: image.contentHash,
    split: image.split,
    label: image.label,
    input: bundlePath(job.dataFolder, inputCacheFile(job.dataFolder, image.contentHash, inputSettingsKey(settings))),
    image: job.images ? `images/${image.contentHash}${extname(image.path).toLowerCase()}` : null,
  }
}

/** A file-name-safe form of an id. */
function safeName(id: string): string {
  return /^[\w.-]+$/.test(id) ? id : createHash('sha256').update(id).digest('hex').slice(0, 16)
}
