import { patientKey } from '@shared/evaluation/csv'
import { datasetProbe } from '@shared/evaluation/separability'
import type { EvaluationSummary } from '@shared/evaluation/types'
import type { RunRecord } from '@shared/runs/record'
import type { StudyChangeEvent, StudyProblem, StudyRecord, StudySlot } from '@shared/studies'
import { PROBE_IMAGES_PER_SET } from './studyPlanning'
import type { StudyDeps } from './studyService'

/** What a study's work needs from the service that drives it. */
export interface StudyWorkHooks {
  /** Writes the record and tells listeners. */
  persist(record: StudyRecord, kind?: StudyChangeEvent['kind']): Promise<void>
  /** A completed or cancelled study: released and its waiters told. */
  settle(record: StudyRecord): Promise<void>
  /** Every study record (on disk and driven here): which runs are claimed by a study. */
  allStudies(): Promise<StudyRecord[]>
  /** The stored evaluations, read once per round of work. */
  evaluationIndex(): Promise<EvaluationSummary[]>
  log(record: StudyRecord, line: string): void
}

/**
 * One study's work, a step at a time: find runs started but not recorded, note failed runs, keep one run of the
 * study in the runs queue (starting the next, resuming an interrupted one or one the user asked to retry), evaluate
 * one finished run on one test set it lacks (or adopt an evaluation made before a restart), probe one run's
 * features, and mark the study completed when nothing is left. Every step is recorded before the next.
 */
export function createStudyWork(deps: Pick<StudyDeps, 'runs' | 'evaluation'>, hooks: StudyWorkHooks): { advance(record: StudyRecord): Promise<boolean> } {
  const { log } = hooks
  const problemOf = (record: StudyRecord, slot: StudySlot, kind: StudyProblem['kind'], compositionId: string | null = null) =>
    record.problems.find((problem) => problem.slotKey === slot.key && problem.kind === kind && problem.compositionId === compositionId)

  function addProblem(record: StudyRecord, slot: StudySlot, kind: StudyProblem['kind'], message: string, compositionId: string | null = null): void {
    record.problems.push({ slotKey: slot.key, kind, compositionId, message, at: new Date().toISOString() })
    log(record, `${kind === 'run' ? 'run' : kind} of ${slot.config.name}${compositionId ? ` on ${record.testSets.find((set) => set.compositionId === compositionId)?.name ?? compositionId}` : ''}: ${message}`)
  }

  /** Finds runs started for slots whose run id was not recorded (the program stopped in between). */
  async function adoptRuns(record: StudyRecord, runs: Map<string, RunRecord | null>): Promise<boolean> {
    const orphans = record.slots.filter((slot) => !slot.runId)
    if (orphans.length === 0) return false
    const claimed = new Set([...(await hooks.allStudies())].flatMap((study) => study.slots.map((slot) => slot.runId)).filter((id): id is string => id !== null))
    const candidates = (await deps.runs.list()).filter((run) => run.timings.createdAt >= record.createdAt && !claimed.has(run.id))
    let adopted = false
    for (const slot of orphans) {
      const match = candidates.find((run) => !claimed.has(run.id) && JSON.stringify(run.config) === JSON.stringify(slot.config))
      if (!match) continue
      slot.runId = match.id
      claimed.add(match.id)
      runs.set(match.id, match)
      log(record, `found run ${match.id} of ${slot.config.name}, started before the program stopped`)
      adopted = true
    }
    return adopted
  }

  /** One step of a study; true when it did something (look again at once), false when waiting for a run. */
  async function advance(record: StudyRecord): Promise<boolean> {
    const runs = new Map<string, RunRecord | null>()
    for (const slot of record.slots) if (slot.runId) runs.set(slot.runId, await deps.runs.get({ runId: slot.runId }).catch(() => null))
    let changed = await adoptRuns(record, runs)
    const stateOf = (slot: StudySlot) => (slot.runId ? (runs.get(slot.runId)?.state ?? 'missing') : 'unstarted')
    for (const slot of record.slots) {
      const state = stateOf(slot)
      if ((state === 'failed' || state === 'missing') && !slot.retry && !problemOf(record, slot, 'run')) {
        addProblem(record, slot, 'run', state === 'missing' ? `its run ${slot.runId} was deleted; resume the study to train it again` : (runs.get(slot.runId!)?.failureReason ?? 'the run failed'))
        changed = true
      }
      if (state === 'cancelled' && !slot.retry && record.state === 'running') {
        // The user stopped one of the study's runs: the study stops with it, and resume continues both.
        record.state = 'cancelled'
        log(record, `stopped: its run ${slot.runId} was cancelled; resume the study to continue`)
        await hooks.persist(record, 'state')
        await hooks.settle(record)
        return false
      }
    }
    const active = record.slots.some((slot) => ['queued', 'running'].includes(stateOf(slot)))
    if (!active) {
      const next = record.slots.find((slot) => {
        const state = stateOf(slot)
        if (problemOf(record, slot, 'run') && !slot.retry) return false
        return state === 'unstarted' || state === 'interrupted' || (slot.retry && (state === 'cancelled' || state === 'failed' || state === 'missing'))
      })
      if (next) {
        await launch(record, next, stateOf(next))
        await hooks.persist(record)
        return true
      }
    }
    if (changed) await hooks.persist(record)
    if (await evaluateNext(record, runs)) return true
    if (await probeNext(record, runs)) return true
    const pending = record.slots.some((slot) => {
      const state = stateOf(slot)
      return !(state === 'completed' || problemOf(record, slot, 'run'))
    })
    if (!pending) {
      record.state = 'completed'
      record.finishedAt = new Date().toISOString()
      const failed = record.slots.filter((slot) => problemOf(record, slot, 'run')).length
      log(record, failed ? `completed, ${failed} of ${record.slots.length} runs failed (resume retries them)` : 'completed')
      await hooks.persist(record, 'state')
      await hooks.settle(record)
      return true
    }
    return false
  }

  async function launch(record: StudyRecord, slot: StudySlot, state: string): Promise<void> {
    try {
      if (state === 'unstarted' || state === 'missing') {
        slot.runId = (await deps.runs.start(slot.config)).runId
        log(record, `started run ${slot.runId}: ${slot.config.name}`)
      } else {
        await deps.runs.resume({ runId: slot.runId! })
        log(record, `resumed run ${slot.runId} (${state}): ${slot.config.name}`)
      }
      record.problems = record.problems.filter((problem) => !(problem.slotKey === slot.key && problem.kind === 'run'))
    } catch (error) {
      addProblem(record, slot, 'run', (error as Error).message)
    }
    slot.retry = false
  }


  /** Evaluates one completed run on one test set it lacks (or adopts an evaluation made before a restart). */
  async function evaluateNext(record: StudyRecord, runs: Map<string, RunRecord | null>): Promise<boolean> {
    const { threshold, replicates, bootstrapSeed } = record.spec.evaluation
    const options = { threshold, haldane: false, replicates, seed: bootstrapSeed }
    for (const slot of record.slots) {
      if (!slot.runId || runs.get(slot.runId)?.state !== 'completed') continue
      for (const testSet of record.testSets) {
        const linked = record.evaluations.some((entry) => entry.slotKey === slot.key && entry.runId === slot.runId && entry.compositionId === testSet.compositionId)
        if (linked || problemOf(record, slot, 'evaluation', testSet.compositionId)) continue
        const index = await hooks.evaluationIndex()
        const existing = index.find(
          (summary) => summary.runId === slot.runId && summary.compositionId === testSet.compositionId && summary.split === 'test' && summary.variant === 'standard' && JSON.stringify(summary.options) === JSON.stringify(options),
        )
        try {
          const evaluationId = existing?.id ?? (await deps.evaluation.evaluate({ runId: slot.runId, compositionId: testSet.compositionId, split: 'test', variant: 'standard', options })).id
          record.evaluations.push({ slotKey: slot.key, runId: slot.runId, compositionId: testSet.compositionId, evaluationId })
          log(record, `${existing ? 'found the evaluation' : 'evaluated'} ${slot.config.name} on ${testSet.name}`)
        } catch (error) {
          addProblem(record, slot, 'evaluation', (error as Error).message, testSet.compositionId)
        }
        await hooks.persist(record)
        return true
      }
    }
    return false
  }

  /** The "which dataset?" probe of one completed run on its features of every test set. */
  async function probeNext(record: StudyRecord, runs: Map<string, RunRecord | null>): Promise<boolean> {
    if (!record.datasetProbe) return false
    for (const slot of record.slots) {
      if (!slot.runId || runs.get(slot.runId)?.state !== 'completed') continue
      if (record.probes.some((probe) => probe.slotKey === slot.key && probe.runId === slot.runId) || problemOf(record, slot, 'probe')) continue
      try {
        const features = await deps.evaluation.encoderFeatures({ runId: slot.runId, compositionIds: record.testSets.map((set) => set.compositionId), split: 'test', limit: PROBE_IMAGES_PER_SET })
        const separability = datasetProbe({ values: features.values, classes: features.items.map((item) => item.datasetId), groups: features.items.map((item) => patientKey(item)) })
        record.probes.push({ slotKey: slot.key, runId: slot.runId, separability })
        log(record, `probed ${slot.config.name}: which dataset? ${separability.accuracy === null ? 'not measurable' : `${Math.round(separability.accuracy * 100)}% right (chance ${Math.round(separability.chance * 100)}%)`}`)
      } catch (error) {
        addProblem(record, slot, 'probe', (error as Error).message)
      }
      await hooks.persist(record)
      return true
    }
    return false
  }

  return { advance }
}
