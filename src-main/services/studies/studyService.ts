import type { EvaluationService } from '@shared/evaluation/service'
import type { EvaluationRecord, EvaluationSummary } from '@shared/evaluation/types'
import type { RunRecord } from '@shared/runs/record'
import type { RunsService } from '@shared/runs/service'
import {
  analyseStudy,
  StudyError,
  StudyIdRequestSchema,
  studyProgress,
  STUDY_FORMAT,
  STUDY_LOG_LINES,
  type StudyAnalysis,
  type StudyChangeEvent,
  type StudyEstimate,
  type StudyOverview,
  type StudyProgress,
  type StudyRecord,
  type StudyService,
  type StudySpecInput,
} from '@shared/studies'
import { createLeaseKeeper, describeHolder, isLeaseAlive, readLease } from '../runs/runLease'
import { estimateStudy, planStudy, type EstimateTools, type StudyLibrary } from './studyPlanning'
import { UNDO_DELETE_MS } from '../files/setAside'
import { createStudyStore } from './studyStore'
import { createStudyWork } from './studyWork'

/** Dependencies of the study service: the runs and evaluation services it drives, and the library it plans with. */
export interface StudyDeps extends StudyLibrary {
  dataFolder: string
  runs: Pick<RunsService, 'start' | 'get' | 'list' | 'resume' | 'cancel' | 'estimate' | 'onDidChange'>
  evaluation: Pick<EvaluationService, 'evaluate' | 'list' | 'get' | 'encoderFeatures'>
  cachedInputs?: EstimateTools['cachedInputs']
  /** Which program this is (`app` or `cli`), for the lease other programs read. */
  ownerKind?: string
  /**
   * Continue, at start-up and whenever studies are listed, every running study no live program drives (the app:
   * a study interrupted by closing it continues). Off for the command line, where only `cxr study run` drives.
   */
  autoContinue?: boolean
}

/** The service with the main-process extras the CLI and tests use. */
export interface StudyServiceImpl extends StudyService {
  /** Resolves once the study is completed or cancelled. */
  waitForStudy(request: { studyId: string }): Promise<StudyOverview>
  /** Starts with an estimate made beforehand (shown on the page and used for the ETA until runs finish). */
  startWithEstimate(spec: StudySpecInput, estimate: StudyEstimate | null): Promise<StudyOverview>
  /** Stops driving (the studies stay `running` on disk and continue at the next start) and releases the leases. */
  close(): Promise<void>
}

const SETTLED_RUN = new Set(['completed', 'failed', 'cancelled', 'interrupted'])

/**
 * Creates the study service. A study is advanced by one program at a time, the one holding its lease
 * (`<dataFolder>/studies/<id>/owner.json`, as runs have). This program advances one study at a time, oldest first:
 * it keeps one of the study's runs in the runs queue (starting the next, or resuming an interrupted one), evaluates
 * every finished run on every test set, probes its features, and marks the study completed when nothing is left.
 * Every step is recorded before the next, and on a restart a run or evaluation made just before the record was
 * written is found again (same configuration, made after the study; same run, test set and options), so each is
 * made exactly once.
 */
export function createStudyService(deps: StudyDeps): StudyServiceImpl {
  const store = createStudyStore(deps.dataFolder)
  const leases = createLeaseKeeper(deps.ownerKind ?? 'app')
  /** Studies this program drives; their in-memory record is the authority, written after every change. */
  const driven = new Map<string, StudyRecord>()
  const listeners = new Set<(event: StudyChangeEvent) => void>()
  const waiters = new Map<string, ((overview: StudyOverview) => void)[]>()
  let closed = false
  let pumping: Promise<void> | null = null
  let again = false
  /** Stored evaluations, read once per round of work: where an evaluation made before a restart is found. */
  let evaluationIndex: EvaluationSummary[] | null = null

  const emit = (studyId: string, kind: StudyChangeEvent['kind']) => {
    for (const listener of listeners) listener({ studyId, kind })
  }

  function log(record: StudyRecord, line: string): void {
    record.log = [...record.log, `${new Date().toISOString()} ${line}`].slice(-STUDY_LOG_LINES)
  }

  async function persist(record: StudyRecord, kind: StudyChangeEvent['kind'] = 'progress'): Promise<void> {
    await store.write(record)
    emit(record.id, kind)
  }

  const stopRunEvents = deps.runs.onDidChange((event) => {
    for (const record of driven.values()) {
      if (record.slots.some((slot) => slot.runId === event.runId)) {
        if (event.kind !== 'epoch') requestPump()
        emit(record.id, 'progress')
      }
    }
  })

  /** Takes a study's lease and drives it here, or says which program does. */
  async function drive(record: StudyRecord): Promise<void> {
    if (driven.has(record.id)) return
    const taken = await leases.acquire(store.studyFolder(record.id))
    if (!taken.acquired) throw new StudyError(`the study "${record.spec.name}" is being run by ${describeHolder(taken.holder)}; stop it there first`)
    driven.set(record.id, record)
  }

  async function release(record: StudyRecord): Promise<void> {
    driven.delete(record.id)
    await leases.release(store.studyFolder(record.id))
  }

  /** Running studies no live program drives, taken over here (autoContinue only). */
  async function adoptOrphans(): Promise<void> {
    if (!deps.autoContinue || closed) return
    const { records } = await store.readAll()
    for (const record of records) {
      if (record.state !== 'running' || driven.has(record.id)) continue
      const lease = await readLease(store.studyFolder(record.id))
      if (lease && isLeaseAlive(lease)) continue
      try {
        await drive(record)
        log(record, 'continued by this program (the one running it had stopped)')
        await persist(record)
      } catch {
        // Another program took it over at the same moment.
      }
    }
    requestPump()
  }

  function requestPump(): void {
    if (closed) return
    if (pumping) {
      again = true
      return
    }
    pumping = (async () => {
      try {
        do {
          again = false
          // Evaluations made meanwhile by another program are looked up afresh on each round.
          evaluationIndex = null
          while (!closed && (await advanceOldest())) {
            // One unit of work per pass (a start, an evaluation, a probe), then look again.
          }
        } while (again && !closed)
      } catch (error) {
        console.warn(`studies: ${(error as Error).message}`)
      } finally {
        pumping = null
      }
    })()
  }

  async function advanceOldest(): Promise<boolean> {
    const running = [...driven.values()].filter((record) => record.state === 'running').sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    return running.length > 0 ? work.advance(running[0]) : false
  }

  const work = createStudyWork(deps, {
    persist,
    settle: (record) => settle(record),
    log,
    allStudies: async () => [...(await store.readAll()).records, ...driven.values()],
    evaluationIndex: async () => (evaluationIndex ??= await deps.evaluation.list()),
  })

  /** A completed or cancelled study: released, and its waiters told. */
  async function settle(record: StudyRecord): Promise<void> {
    await release(record)
    const resolve = waiters.get(record.id)
    if (resolve) {
      waiters.delete(record.id)
      const overview = await overviewOf(record, new Map((await deps.runs.list()).map((run) => [run.id, run])))
      for (const done of resolve) done(overview)
    }
  }

  async function driverOf(record: StudyRecord): Promise<StudyProgress['driver']> {
    if (driven.has(record.id)) return { kind: deps.ownerKind ?? 'app', pid: process.pid, thisProcess: true }
    const lease = await readLease(store.studyFolder(record.id))
    return lease && isLeaseAlive(lease) ? { kind: lease.kind, pid: lease.pid, thisProcess: false } : null
  }

  async function overviewOf(record: StudyRecord, runs: Map<string, RunRecord>): Promise<StudyOverview> {
    return { record: structuredClone(record), progress: studyProgress(record, runs, await driverOf(record)) }
  }

  async function allRecords(): Promise<StudyRecord[]> {
    const drivenBefore = new Set(driven.keys())
    const { records, problems } = await store.readAll()
    for (const problem of problems) console.warn(`studies: skipped an unreadable record: ${problem}`)
    // A study this program finished while the files were read: what was read may predate its last write (its final
    // state), and it is no longer in memory to correct that. Read it again: it is written before it is let go.
    return Promise.all(records.map(async (record) => driven.get(record.id) ?? (drivenBefore.has(record.id) ? await store.read(record.id).catch(() => record) : record)))
  }

  /** A study by id, by any unique beginning of its id (with or without "study-"), or by name (the newest). */
  async function find(given: string): Promise<StudyRecord> {
    const records = await allRecords()
    const exact = records.find((record) => record.id === given)
    if (exact) return exact
    const matches = StudyIdRequestSchema.safeParse({ studyId: given }).success
      ? records.filter((record) => record.id.startsWith(given) || record.id.replace(/^study-/, '').startsWith(given))
      : []
    if (matches.length === 1) return matches[0]
    if (matches.length > 1) throw new StudyError(`"${given}" could be any of ${matches.length} studies: give more of the id`)
    throw new StudyError(`there is no study "${given}"`)
  }

  async function findByIdOrName(given: string): Promise<StudyRecord> {
    try {
      return await find(given)
    } catch (error) {
      const named = (await allRecords()).filter((record) => record.spec.name === given).sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      if (named.length) return named[0]
      throw error
    }
  }

  async function overview(record: StudyRecord): Promise<StudyOverview> {
    return overviewOf(record, new Map((await deps.runs.list()).map((run) => [run.id, run])))
  }

  async function startWithEstimate(spec: StudySpecInput, estimate: StudyEstimate | null): Promise<StudyOverview> {
    if (closed) throw new StudyError('the study service is closed')
    const planned = await planStudy(spec, deps)
    const now = new Date()
    const record: StudyRecord = {
      format: STUDY_FORMAT,
      version: 1,
      id: store.newId(now),
      spec: planned.spec,
      state: 'running',
      createdAt: now.toISOString(),
      finishedAt: null,
      ...planned.expansion,
      datasetProbe: planned.datasetProbe,
      evaluations: [],
      probes: [],
      problems: [],
      estimate,
      log: [],
    }
    log(record, `created: ${record.cells.length} cells × ${planned.spec.seeds.length} seeds = ${record.slots.length} runs, ${record.testSets.length} test sets`)
    await drive(record)
    await persist(record, 'created')
    requestPump()
    return overview(record)
  }

  const ready = store.purgeDeleted(UNDO_DELETE_MS).then(adoptOrphans)

  return {
    startWithEstimate,
    start: (spec) => startWithEstimate(spec, null),
    async estimate(spec) {
      return estimateStudy(await planStudy(spec, deps), { estimateRun: (config) => deps.runs.estimate(config), cachedInputs: deps.cachedInputs })
    },
    async list() {
      await ready
      await adoptOrphans()
      const runs = new Map((await deps.runs.list()).map((run) => [run.id, run]))
      const records = (await allRecords()).sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      return Promise.all(records.map((record) => overviewOf(record, runs)))
    },
    async get({ studyId }) {
      return overview(await findByIdOrName(studyId))
    },
    async cancel({ studyId }) {
      const found = await findByIdOrName(studyId)
      const record = driven.get(found.id)
      if (!record) {
        const driver = await driverOf(found)
        if (driver) throw new StudyError(`the study "${found.spec.name}" is being run by ${driver.kind === 'cli' ? 'the command line (cxr)' : 'another app window'} (process ${driver.pid}); stop it there`)
        if (found.state === 'running') {
          found.state = 'cancelled'
          log(found, 'cancelled')
          await persist(found, 'state')
        }
        return overview(found)
      }
      record.state = 'cancelled'
      log(record, 'cancelled: its training run stops after the current step and keeps a checkpoint')
      for (const slot of record.slots) {
        if (!slot.runId) continue
        const run = await deps.runs.get({ runId: slot.runId }).catch(() => null)
        if (run && !SETTLED_RUN.has(run.state)) await deps.runs.cancel({ runId: slot.runId })
      }
      await persist(record, 'state')
      await settle(record)
      return overview(record)
    },
    async resume({ studyId }) {
      const found = await findByIdOrName(studyId)
      const record = driven.get(found.id) ?? found
      await drive(record)
      const runs = new Map<string, RunRecord | null>()
      for (const slot of record.slots) if (slot.runId) runs.set(slot.runId, await deps.runs.get({ runId: slot.runId }).catch(() => null))
      let retried = 0
      for (const slot of record.slots) {
        const state = slot.runId ? (runs.get(slot.runId)?.state ?? 'missing') : 'unstarted'
        if (state === 'failed' || state === 'cancelled' || state === 'missing') {
          slot.retry = true
          retried++
        }
      }
      const evaluationProblems = record.problems.filter((problem) => problem.kind !== 'run').length
      record.problems = record.problems.filter((problem) => problem.kind === 'run' && !record.slots.find((slot) => slot.key === problem.slotKey)?.retry)
      record.state = 'running'
      record.finishedAt = null
      log(record, `resumed${retried ? `, retrying ${retried} stopped or failed run${retried === 1 ? '' : 's'}` : ''}${evaluationProblems ? ` and ${evaluationProblems} evaluation${evaluationProblems === 1 ? '' : 's'}` : ''}`)
      await persist(record, 'state')
      requestPump()
      return overview(record)
    },
    async remove({ studyId }) {
      const found = await findByIdOrName(studyId)
      const driver = await driverOf(found)
      if (found.state === 'running' && driver) throw new StudyError(`the study "${found.spec.name}" is running: cancel it first`)
      await release(found)
      await store.remove(found.id)
      emit(found.id, 'deleted')
    },
    async restore({ studyId }) {
      if (!(await store.restore(studyId))) throw new StudyError('this study can no longer be brought back: a deleted study is kept for an hour')
      const record = await store.read(studyId)
      emit(record.id, 'created')
      // A study deleted while stopped comes back stopped; one whose program had died is taken over as at start.
      await adoptOrphans()
      return overview(driven.get(record.id) ?? record)
    },
    async analysis({ studyId }): Promise<StudyAnalysis> {
      const record = await findByIdOrName(studyId)
      const evaluations = new Map<string, EvaluationRecord>()
      for (const link of record.evaluations) {
        const stored = await deps.evaluation.get({ evaluationId: link.evaluationId }).catch(() => null)
        if (stored) evaluations.set(link.evaluationId, stored)
      }
      return analyseStudy(record, (id) => evaluations.get(id))
    },
    async waitForStudy({ studyId }) {
      const record = await findByIdOrName(studyId)
      const current = driven.get(record.id) ?? record
      if (current.state !== 'running' || !driven.has(record.id)) return overview(current)
      return new Promise((resolve) => waiters.set(record.id, [...(waiters.get(record.id) ?? []), resolve]))
    },
    onDidChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async close() {
      closed = true
      stopRunEvents()
      await ready.catch(() => undefined)
      while (pumping) await pumping
      driven.clear()
      await leases.close()
    },
  }
}
