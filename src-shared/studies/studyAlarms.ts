/**
 * The alarms of a study (evaluation/alarms.ts), raised for every run on every test set and for every recipe over
 * its seeds, each with what it concerns and its evidence:
 * - backward ranking: a run's AUC interval on a test set (its patient bootstrap) lies below 0.5; and the same for a
 *   recipe's mean AUC over seeds;
 * - degenerate classifier: a run's sensitivity or specificity is 0 at its threshold on a test set with both classes;
 * - external drop: a run's AUC on an external test set is significantly below its AUC on the test split of its own
 *   training composition. The two sets must share no image (their AUCs are compared as independent samples); test
 *   sets that overlap the within-dataset one are not used for this alarm;
 * - dataset signature: the run's "which dataset?" probe on its features of every test set is far above chance.
 */
import { detectBackwardRanking, detectDatasetSignature, detectExternalDrop, type Alarm } from '../evaluation/alarms'
import { fromJsonSafeNumber, toJsonSafe } from '../metrics'
import type { StudyAlarm, StudyTableCell } from './analysisTypes'
import type { StudyCell, StudyRecord } from './record'
import { evaluationAlarms } from './evaluationAlarms'
import type { ScoredSet } from './scoredSets'

function entry(alarm: Alarm, where: Omit<StudyAlarm, 'kind' | 'message' | 'evidence'>): StudyAlarm {
  return { ...where, kind: alarm.kind, message: alarm.message, evidence: toJsonSafe(alarm.evidence) as Record<string, unknown> }
}

function runAlarms(record: StudyRecord, cell: StudyCell, scored: Map<string, ScoredSet>): StudyAlarm[] {
  const alarms: StudyAlarm[] = []
  const names = new Map(record.testSets.map((set) => [set.compositionId, set.name]))
  const internal = scored.get(cell.compositionId)
  for (const [compositionId, set] of scored) {
    const testSet = names.get(compositionId) ?? compositionId
    for (const run of set.runs) {
      const where = { scope: 'run' as const, cellKey: cell.key, cellLabel: cell.label, seed: run.slot.seed, runId: run.runId, compositionId }
      for (const alarm of evaluationAlarms(run.evaluation, testSet)) alarms.push(entry(alarm, where))
      if (internal && compositionId !== cell.compositionId && !sharesImages(internal, set)) {
        const own = internal.runs.find((candidate) => candidate.runId === run.runId)
        if (own) {
          const drop = detectExternalDrop({
            internal: { name: names.get(cell.compositionId) ?? cell.compositionName, labels: internal.labels, scores: own.scores },
            external: { name: testSet, labels: set.labels, scores: run.scores },
          })
          if (drop) alarms.push(entry(drop, where))
        }
      }
    }
  }
  return alarms
}

function sharesImages(a: ScoredSet, b: ScoredSet): boolean {
  const hashes = new Set(a.contentHashes)
  return b.contentHashes.some((hash) => hashes.has(hash))
}

/** A recipe whose mean AUC over seeds has its whole interval below 0.5 on a test set. */
function cellAlarms(record: StudyRecord, cell: StudyCell, tableRow: StudyTableCell[]): StudyAlarm[] {
  const alarms: StudyAlarm[] = []
  tableRow.forEach((tableCell, column) => {
    const auc = tableCell.metrics?.auc
    if (!auc || tableCell.seeds.length < 2) return
    const upper = fromJsonSafeNumber(auc.upper)
    if (Number.isNaN(upper)) return
    const testSet = record.testSets[column]
    const alarm = detectBackwardRanking({
      testSet: testSet.name,
      auc: fromJsonSafeNumber(auc.mean),
      ci: { lower: fromJsonSafeNumber(auc.lower), upper, confidence: 0.95 },
      ...(tableCell.n !== null ? { n: tableCell.n } : {}),
    })
    if (alarm) {
      alarms.push(
        entry({ ...alarm, message: `Mean of ${tableCell.seeds.length} seeds: ${alarm.message}` }, { scope: 'cell', cellKey: cell.key, cellLabel: cell.label, seed: null, runId: null, compositionId: testSet.compositionId }),
      )
    }
  })
  return alarms
}

/**
 * Every alarm of the study: per run and test set, per recipe, and per run's dataset probe.
 * @param table the study table's cells (`[row][column]`) and the scored sets behind them.
 */
export function studyAlarms(record: StudyRecord, table: StudyTableCell[][], scored: Map<string, Map<string, ScoredSet>>): StudyAlarm[] {
  const alarms: StudyAlarm[] = []
  record.cells.forEach((cell, row) => {
    alarms.push(...cellAlarms(record, cell, table[row]))
    alarms.push(...runAlarms(record, cell, scored.get(cell.key) ?? new Map()))
  })
  for (const probe of record.probes) {
    const slot = record.slots.find((candidate) => candidate.key === probe.slotKey)
    const cell = slot && record.cells.find((candidate) => candidate.key === slot.cellKey)
    if (!slot || !cell || slot.runId !== probe.runId) continue
    const alarm = detectDatasetSignature(probe.separability)
    if (alarm) alarms.push(entry(alarm, { scope: 'run', cellKey: cell.key, cellLabel: cell.label, seed: slot.seed, runId: probe.runId, compositionId: null }))
  }
  return alarms
}
