import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { BundleManifest, SlurmResources } from '@shared/cluster'
import type { CompositionExport } from '@shared/datasets/exchange'
import type { RunConfig } from '@shared/runs/config'
import type { LungModelRef, RunRecord } from '@shared/runs/record'
import type { StudyOverview } from '@shared/studies'
import { planFinetune, planPretrain, type RunsLibrary } from '../runs/dataPlan'
import type { RunLungModels } from '../runs/runsService'
import { createRunStore } from '../runs/runStore'
import type { BundleExportJob, ExportRunPlan } from './protocol'

/** What planning an export reads: the library, the runs and studies, the lung models. */
export interface ExportPlanningDeps {
  dataFolder: string
  appVersion: string
  library: RunsLibrary
  compositions: { exportJson(compositionId: string): Promise<CompositionExport> }
  runs: { get(request: { runId: string }): Promise<RunRecord>; runFolder(runId: string): string }
  studies: { get(request: { studyId: string }): Promise<StudyOverview>; cancel(request: { studyId: string }): Promise<StudyOverview> }
  lungModels?: RunLungModels
}

/** What to export, resolved: a study, a run, or a configuration given as it is (the CLI's CONFIG.json). */
export type ExportSource = { kind: 'study'; studyId: string } | { kind: 'run'; runId: string } | { kind: 'config'; config: RunConfig; name: string }

/** What planning decided, and what the user should be told. */
export interface PlannedExport {
  job: BundleExportJob
  notes: string[]
}

/** A planning problem the user can fix (shown as it is). */
export class ExportError extends Error {
  override name = 'ExportError'
}

/**
 * Plans a bundle: which runs (a study's runs without a completed run; a run's configuration as a new run), each with
 * its images resolved to this workstation's files in the runs' canonical order, the lung model fixed now (the one a
 * run fixes when it first starts, kept in the bundle by content id) and the encoder a `pretraining: run` starts
 * from. A study still running here is stopped first, so its runs are not trained twice.
 */
export async function planExport(deps: ExportPlanningDeps, source: ExportSource, options: { folder: string; images: boolean; everyRun?: boolean; slurm: { resources: SlurmResources; command: string | null } | null }): Promise<PlannedExport> {
  const notes: string[] = []
  const now = new Date()
  const store = createRunStore(deps.dataFolder)
  let entries: { config: RunConfig; study: BundleManifest['runs'][number]['study']; fromRunId: string | null; fixedLungModel: string | null }[]
  let described: BundleManifest['source']
  if (source.kind === 'study') {
    let overview = await deps.studies.get({ studyId: source.studyId })
    const { record } = overview
    if (record.state === 'running') {
      overview = await deps.studies.cancel({ studyId: record.id })
      notes.push(`the study "${record.spec.name}" was stopped here so its runs are not trained twice; import the cluster's results, then resume it to evaluate them`)
    }
    // Completed slots, with the lung model their run fixed (a run exported again masks with the same one).
    const completed = new Map<string, string | null>()
    for (const slot of overview.record.slots) {
      if (!slot.runId) continue
      const run = await deps.runs.get({ runId: slot.runId }).catch(() => null)
      if (run?.state === 'completed') completed.set(slot.key, run.inputs?.lungModel?.modelId ?? null)
    }
    const slots = options.everyRun ? overview.record.slots : overview.record.slots.filter((slot) => !completed.has(slot.key))
    if (slots.length === 0) throw new ExportError(`every run of the study "${record.spec.name}" has completed: there is nothing left to train (export every run again to check that the cluster repeats them)`)
    if (options.everyRun) notes.push(`every run of the study is in the bundle, completed ones too: the cluster trains them again as new runs, beside this workstation's`)
    else if (completed.size) notes.push(`${completed.size} run${completed.size === 1 ? '' : 's'} of the study completed here already and ${completed.size === 1 ? 'is' : 'are'} not in the bundle`)
    // A completed slot exported again is a new run beside the slot's own (the study keeps its run); an open slot's run
    // is the one the study adopts when it is resumed.
    entries = slots.map((slot) =>
      completed.has(slot.key)
        ? { config: slot.config, study: null, fromRunId: slot.runId, fixedLungModel: completed.get(slot.key) ?? null }
        : { config: slot.config, study: { studyId: record.id, studyName: record.spec.name, slotKey: slot.key }, fromRunId: null, fixedLungModel: null },
    )
    const startedHere = slots.filter((slot) => slot.runId && !completed.has(slot.key)).length
    if (startedHere) {
      notes.push(
        `${startedHere} of these run${startedHere === 1 ? '' : 's'} had started here and stopped; the study keeps ${startedHere === 1 ? 'that run' : 'those runs'} as its own: the cluster's ${startedHere === 1 ? 'run comes' : 'runs come'} into the library beside ${startedHere === 1 ? 'it' : 'them'}, and resuming the study continues ${startedHere === 1 ? 'it' : 'them'} here`,
      )
    }
    described = { kind: 'study', id: record.id, name: record.spec.name }
  } else if (source.kind === 'run') {
    const run = await deps.runs.get({ runId: source.runId })
    entries = [{ config: run.config, study: null, fromRunId: run.id, fixedLungModel: run.inputs?.lungModel?.modelId ?? null }]
    described = { kind: 'run', id: run.id, name: run.config.name || run.id }
    notes.push(`the bundle trains a new run with the configuration of ${run.config.name ? `"${run.config.name}"` : run.id}; that run stays here as it is`)
  } else {
    entries = [{ config: source.config, study: null, fromRunId: null, fixedLungModel: null }]
    described = { kind: 'config', id: source.name, name: source.config.name || source.name }
  }

  const active = entries.some((entry) => entry.config.preprocessing === 'full' && entry.fixedLungModel === null) ? await deps.lungModels?.active() : null
  const runs: ExportRunPlan[] = []
  for (const [task, entry] of entries.entries()) {
    const what = entry.config.name ? `the run "${entry.config.name}"` : 'the run'
    try {
      runs.push({
        task,
        runId: store.newId(now),
        config: entry.config,
        study: entry.study,
        fromRunId: entry.fromRunId,
        finetune: await planFinetune(deps.library, entry.config.compositionId),
        pretrain: entry.config.pretraining.kind === 'train' ? await planPretrain(deps.library, entry.config.pretraining, entry.config.seed) : null,
        lungModel: await lungModelOf(deps, entry.config, entry.fixedLungModel, active ?? null),
        encoder: await encoderOf(deps, entry.config),
      })
    } catch (error) {
      throw new ExportError(`${what}: ${(error as Error).message}`)
    }
  }
  const compositions = []
  for (const compositionId of new Set(runs.map((run) => run.config.compositionId))) compositions.push({ compositionId, exported: await deps.compositions.exportJson(compositionId) })
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '-')
  return {
    job: {
      kind: 'bundle-export',
      dataFolder: deps.dataFolder,
      folder: options.folder,
      bundleId: `bundle-${stamp}-${randomBytes(3).toString('hex')}`,
      createdAt: now.toISOString(),
      appVersion: deps.appVersion,
      source: described,
      images: options.images,
      runs,
      compositions,
      slurm: options.slurm,
    },
    notes,
  }
}

/** The lung model a run masks with: the one it fixed, or the one the app uses now (as the run would fix at its start). */
async function lungModelOf(deps: ExportPlanningDeps, config: RunConfig, fixed: string | null, active: LungModelRef | null): Promise<LungModelRef | null> {
  if (config.preprocessing !== 'full') return null
  if (fixed) {
    const found = await deps.lungModels?.find(fixed)
    if (!found) throw new ExportError(`its inputs are masked by the lung model ${fixed}, which is no longer installed: reinstall it, or export a new run`)
    return found
  }
  if (!active) throw new ExportError("full preprocessing masks the lungs with a lung model, and none is installed: install or train one (Datasets page, or 'cxr train-lungs'), or choose equalize-only preprocessing")
  return active
}

/** The encoder folder a `pretraining: run` configuration starts from (that run must have pre-trained one). */
async function encoderOf(deps: ExportPlanningDeps, config: RunConfig): Promise<ExportRunPlan['encoder']> {
  if (config.pretraining.kind !== 'run') return null
  const source = await deps.runs.get({ runId: config.pretraining.runId })
  if (source.config.architecture !== config.architecture || source.config.input.crop !== config.input.crop) {
    throw new ExportError(`the encoder of run ${source.id} is a ${source.config.architecture} at ${source.config.input.crop} px; this run needs a ${config.architecture} at ${config.input.crop} px`)
  }
  const folder = join(deps.runs.runFolder(source.id), 'encoder')
  if (!existsSync(join(folder, 'model.json'))) throw new ExportError(`run ${source.id} has no pre-trained encoder (it must have pre-trained one and completed)`)
  return { runId: source.id, folder }
}
