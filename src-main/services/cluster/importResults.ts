import { existsSync } from 'node:fs'
import { appendFile, copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { BundleError, BundlePlanSchema, RUN_RESULT_FILE, RunResultSchema, type BundlePlan, type BundleRun, type RunResult } from '@shared/cluster'
import { RECORD_LOG_LINES, RunRecordSchema, type RunRecord } from '@shared/runs/record'
import { readBundleJson, verifyFiles } from './bundleFiles'
import type { ClusterJobEvent, ImportedRun, ResultsImportJob, ResultsImportOutcome } from './protocol'
import { openBundle, type OpenedBundle } from './readBundle'
import { resultsStore } from './runBundleTask'
import type { JobContext } from '../workers/jobIo'

/** Where runs stay while they are copied in: a finished copy is renamed into `<dataFolder>/runs/` whole. */
const STAGING_FOLDER = join('cluster', 'importing')

/**
 * Brings a bundle's finished runs into the data folder: each run's files are checked against the hashes the node
 * wrote in its result.json (and the result against the bundle it came from), its record against the bundle's run
 * (configuration, composition, images, input settings, lung model), then its model, encoder, log and record are
 * copied in under its own id — checkpoints stay in the bundle. A run whose file fails its hash, or whose record does
 * not match, is refused with the file named; runs not finished on the cluster are left for a later import. The
 * runs service of the app finds the new run folders on its own, as it finds runs made by the command line.
 */
export async function importResults(job: ResultsImportJob, context: JobContext<ClusterJobEvent>): Promise<ResultsImportOutcome & { present: ImportedRun[] }> {
  const bundle = await openBundle(job.folder)
  const outcome: ResultsImportOutcome & { present: ImportedRun[] } = { imported: [], skipped: [], present: [] }
  const store = resultsStore(job.folder)
  for (const [index, run] of bundle.manifest.runs.entries()) {
    context.emit({ type: 'progress', step: 'checking and importing runs', done: index, total: bundle.manifest.runs.length })
    const name = run.config.name || run.runId
    const entry = { runId: run.runId, name, study: run.study }
    if (existsSync(join(job.dataFolder, 'runs', run.runId, 'record.json'))) {
      outcome.present.push({ ...entry, host: null })
      outcome.skipped.push({ runId: run.runId, name, reason: 'already in the library' })
      continue
    }
    const runFolder = store.runFolder(run.runId)
    if (!existsSync(join(runFolder, RUN_RESULT_FILE))) {
      const state = existsSync(join(runFolder, 'record.json')) ? (await store.read(run.runId).catch(() => null))?.state : null
      outcome.skipped.push({ runId: run.runId, name, reason: state ? `not finished on the cluster (it is ${state})` : 'not started on the cluster yet' })
      continue
    }
    try {
      const { record, result } = await checkedResult(bundle, run, runFolder)
      await copyIn(job, run, runFolder, record, result)
      outcome.imported.push({ ...entry, host: record.provenance?.trainedOn?.host ?? null })
    } catch (error) {
      if (!(error instanceof BundleError)) throw error
      outcome.skipped.push({ runId: run.runId, name, reason: error.message })
    }
  }
  context.emit({ type: 'progress', step: 'checking and importing runs', done: bundle.manifest.runs.length, total: bundle.manifest.runs.length })
  return outcome
}

/** A finished run's record, once its files match their hashes and the record matches the bundle's run. */
async function checkedResult(bundle: OpenedBundle, run: BundleRun, runFolder: string): Promise<{ record: RunRecord; result: RunResult }> {
  const where = `the results of run ${run.runId} (results/runs/${run.runId})`
  const result = await readBundleJson(join(runFolder, RUN_RESULT_FILE), RunResultSchema, 'the list of a finished run’s files (result.json)')
  if (result.runId !== run.runId || result.bundleId !== bundle.manifest.bundleId || result.bundleDigest !== bundle.digest) {
    throw new BundleError(`${where}: result.json belongs to another bundle or run (${result.bundleId}, run ${result.runId}); this bundle.json is ${bundle.manifest.bundleId}: import the folder the run was trained from`)
  }
  await verifyFiles(runFolder, result.files, where)
  const record = await readBundleJson(join(runFolder, 'record.json'), RunRecordSchema, 'a run record')
  const plan = await readBundleJson(join(bundle.folder, run.finetunePlan), BundlePlanSchema, 'a run plan')
  const pretrain = run.pretrainPlan ? await readBundleJson(join(bundle.folder, run.pretrainPlan), BundlePlanSchema, 'a run plan') : null
  const problem = mismatch(record, run, plan, pretrain, bundle)
  if (problem) throw new BundleError(`${where}: record.json does not match the bundle's run: ${problem}; it was not trained from this bundle as exported`)
  return { record, result }
}

/** What differs between a trained record and the run the bundle describes, or null. */
function mismatch(record: RunRecord, run: BundleRun, plan: BundlePlan, pretrain: BundlePlan | null, bundle: OpenedBundle): string | null {
  const provenance = record.provenance
  const hashes = (images: readonly { contentHash: string; split: string; label: number }[]) => images.map((image) => `${image.contentHash}/${image.split}/${image.label}`).join(',')
  if (record.id !== run.runId) return `its id is ${record.id}`
  if (record.state !== 'completed' || !record.modelFolder) return `it is ${record.state}`
  if (JSON.stringify(record.config) !== JSON.stringify(run.config)) return 'its configuration differs'
  if (!provenance) return 'it has no provenance'
  if (provenance.compositionHash !== plan.compositionHash) return 'its composition differs'
  if (hashes(provenance.images) !== hashes(plan.images)) return 'its fine-tuning images differ'
  if (hashes(provenance.pretrainImages) !== hashes(pretrain?.images ?? [])) return 'its pre-training images differ'
  if (provenance.preprocessingKey !== run.inputSettingsKey) return 'its input settings differ'
  if ((provenance.lungMask.modelId ?? null) !== (run.lungModel?.modelId ?? null)) return 'its lung model differs'
  if (provenance.trainedOn?.cluster?.bundleDigest !== bundle.digest) return 'it names another bundle'
  return null
}

/** Copies a checked run into the data folder through a staging folder, its record pointing at its new home. */
async function copyIn(job: ResultsImportJob, run: BundleRun, runFolder: string, record: RunRecord, result: RunResult): Promise<void> {
  const target = join(job.dataFolder, 'runs', run.runId)
  const staging = join(job.dataFolder, STAGING_FOLDER, run.runId)
  await rm(staging, { recursive: true, force: true })
  for (const file of result.files) {
    if (file.path === 'record.json') continue
    await mkdir(dirname(join(staging, file.path)), { recursive: true })
    await copyFile(join(runFolder, file.path), join(staging, file.path))
  }
  const trainedOn = record.provenance?.trainedOn
  const line = `${new Date().toISOString()} imported from the cluster bundle ${job.folder}${trainedOn ? ` (trained on ${trainedOn.host}${trainedOn.cluster?.jobId ? `, Slurm job ${trainedOn.cluster.jobId}` : ''})` : ''}`
  const installed = record.inputs?.lungModel ? job.lungModels[record.inputs.lungModel.modelId] : undefined
  const imported: RunRecord = {
    ...record,
    modelFolder: join(target, 'model'),
    owner: null,
    progress: null,
    resumable: false,
    log: [...record.log, line].slice(-RECORD_LOG_LINES),
    inputs: record.inputs && {
      ...record.inputs,
      lungModel: record.inputs.lungModel && (installed ?? { ...record.inputs.lungModel, folder: join(job.folder, run.lungModel?.folder ?? '') }),
    },
  }
  await appendFile(join(staging, 'log.txt'), `${line}\n`)
  await writeFile(join(staging, 'record.json'), JSON.stringify(imported, null, 2))
  await mkdir(dirname(target), { recursive: true })
  if (existsSync(target)) throw new BundleError(`run ${run.runId} appeared in the library while it was being imported: import again to see it`)
  await rename(staging, target)
}
