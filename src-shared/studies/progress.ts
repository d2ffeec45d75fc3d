import type { RunRecord } from '../runs/record'
import type { StudyProgress, StudyRecord } from './record'

/** The runs of a study as its progress needs them: state, progress and time spent. */
export type StudyRunView = Pick<RunRecord, 'id' | 'state' | 'progress' | 'timings'>

/**
 * How far a study is: runs by state, evaluations and probes done, the run training now, and the seconds left — the
 * current run's own estimate plus each waiting run at the mean duration of the study's finished runs of its cell
 * (or of any cell, or the study's estimate before any run finished); null when nothing is known yet.
 */
export function studyProgress(record: StudyRecord, runs: ReadonlyMap<string, StudyRunView>, driver: StudyProgress['driver']): StudyProgress {
  const counts = { total: record.slots.length, completed: 0, failed: 0, active: 0, waiting: 0 }
  let currentRunId: string | null = null
  let currentEta: number | null = null
  const durations = new Map<string, number[]>()
  const all: number[] = []
  const waitingCells: string[] = []
  for (const slot of record.slots) {
    const run = slot.runId ? runs.get(slot.runId) : undefined
    if (run?.state === 'completed') {
      counts.completed++
      const seconds = run.timings.prepareSeconds + run.timings.trainSeconds
      durations.set(slot.cellKey, [...(durations.get(slot.cellKey) ?? []), seconds])
      all.push(seconds)
    } else if (run?.state === 'failed' && !slot.retry) {
      counts.failed++
    } else if (run && (run.state === 'running' || run.state === 'queued')) {
      counts.active++
      if (run.state === 'running') {
        currentRunId = run.id
        currentEta = run.progress?.etaSeconds ?? null
      } else waitingCells.push(slot.cellKey)
    } else {
      counts.waiting++
      waitingCells.push(slot.cellKey)
    }
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
  const perRun = (cellKey: string): number | null => {
    const ofCell = durations.get(cellKey)
    if (ofCell?.length) return mean(ofCell)
    const estimated = record.estimate?.cells.find((cell) => cell.cellKey === cellKey)?.secondsPerRun
    if (estimated !== undefined) return estimated
    return all.length ? mean(all) : null
  }
  let etaSeconds: number | null = null
  if (record.state === 'running') {
    const parts = waitingCells.map(perRun)
    if (currentRunId !== null) parts.push(currentEta)
    etaSeconds = parts.length === 0 ? 0 : parts.some((part) => part === null) ? null : (parts as number[]).reduce((sum, part) => sum + part, 0)
  }
  const completedSlots = record.slots.filter((slot) => slot.runId && runs.get(slot.runId)?.state === 'completed')
  const linked = (slotKey: string, runId: string) => record.evaluations.filter((entry) => entry.slotKey === slotKey && entry.runId === runId).length
  return {
    runs: counts,
    evaluations: {
      total: (record.slots.length - counts.failed) * record.testSets.length,
      done: completedSlots.reduce((sum, slot) => sum + Math.min(record.testSets.length, linked(slot.key, slot.runId!)), 0),
    },
    probes: {
      total: record.datasetProbe ? record.slots.length - counts.failed : 0,
      done: record.datasetProbe ? record.probes.filter((probe) => completedSlots.some((slot) => slot.key === probe.slotKey && slot.runId === probe.runId)).length : 0,
    },
    currentRunId,
    etaSeconds,
    driver,
  }
}
