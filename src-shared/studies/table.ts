/**
 * The study table in the layout of the paper's Tables II/III: rows are recipes (architecture, pre-training, training
 * composition), columns are test sets, and a cell holds every metric as mean ± standard deviation over the seeds with
 * the 95% interval of that mean ({@link aggregateSeeds}: patients resampled once for all seeds, predictions never
 * pooled), next to the paper's own numbers where the study names the paper's datasets for the row and the column.
 */
import { aggregateSeeds, type SeedAggregation } from '../evaluation/seedAggregation'
import { toJsonSafe } from '../metrics'
import { STUDY_METRICS, type PaperCell, type SeedMetric, type StudyTableCell } from './analysisTypes'
import { paperResultFor } from './paperTables'
import type { StudyCell, StudyRecord } from './record'
import { scoredSet, type EvaluationLookup, type ScoredSet } from './scoredSets'

/** The table part of a study's analysis, and the scored sets it was built from (comparisons and alarms reuse them). */
export interface StudyTableResult {
  cells: StudyTableCell[][]
  /** `scored.get(cellKey)?.get(compositionId)`: the aligned runs of a cell on a test set. */
  scored: Map<string, Map<string, ScoredSet>>
}

/** Every cell of the table, and the scored sets behind it. */
export function buildStudyTable(record: StudyRecord, lookup: EvaluationLookup): StudyTableResult {
  const scored = new Map<string, Map<string, ScoredSet>>()
  const { replicates, bootstrapSeed, threshold } = record.spec.evaluation
  const cells = record.cells.map((cell) => {
    const byTestSet = new Map<string, ScoredSet>()
    scored.set(cell.key, byTestSet)
    const seedsExpected = record.slots.filter((slot) => slot.cellKey === cell.key).length
    return record.testSets.map((testSet): StudyTableCell => {
      const internal = testSet.compositionId === cell.compositionId
      const paper = paperCell(cell, testSet.paper)
      const set = scoredSet(record, cell.key, testSet.compositionId, lookup)
      if (!set || set.runs.length === 0) {
        return { cellKey: cell.key, compositionId: testSet.compositionId, internal, seedsExpected, seeds: [], runIds: [], n: null, positives: null, negatives: null, metrics: null, paper, notes: set?.notes ?? [] }
      }
      byTestSet.set(testSet.compositionId, set)
      const aggregation = aggregateSeeds(
        { labels: set.labels, patients: set.patients, runs: set.runs.map((run) => ({ seed: run.slot.seed, scores: run.scores, threshold })) },
        { replicates, seed: bootstrapSeed },
      )
      const positives = set.labels.reduce((sum, label) => sum + label, 0)
      return {
        cellKey: cell.key,
        compositionId: testSet.compositionId,
        internal,
        seedsExpected,
        seeds: set.runs.map((run) => run.slot.seed),
        runIds: set.runs.map((run) => run.runId),
        n: set.labels.length,
        positives,
        negatives: set.labels.length - positives,
        metrics: seedMetrics(aggregation),
        paper,
        notes: set.notes,
      }
    })
  })
  return { cells, scored }
}

function seedMetrics(aggregation: SeedAggregation): Record<string, SeedMetric> {
  return Object.fromEntries(
    STUDY_METRICS.map((name) => {
      const summary = aggregation.metrics[name]
      const metric: SeedMetric = {
        values: summary.values.map((value) => toJsonSafe(value)),
        mean: toJsonSafe(summary.mean),
        standardDeviation: toJsonSafe(summary.standardDeviation),
        lower: toJsonSafe(summary.ci.lower),
        upper: toJsonSafe(summary.ci.upper),
        definedSeeds: summary.definedSeeds,
      }
      const reason = summary.undefinedReason ?? summary.ci.undefinedReason
      if (reason) metric.undefinedReason = reason
      return [name, metric]
    }),
  )
}

/** The paper's numbers for a row on a test set, when the study names the paper's datasets for both. */
function paperCell(cell: StudyCell, test: StudyRecord['testSets'][number]['paper']): PaperCell | null {
  const result = paperResultFor({ architecture: cell.architecture, preprocessing: cell.preprocessing, pretraining: cell.paperPretraining, training: cell.paperComposition, test })
  if (!result) return null
  return {
    table: result.table,
    pretraining: result.pretraining,
    training: result.training,
    test: result.test,
    metrics: Object.fromEntries(Object.entries(result.metrics).map(([name, value]) => [name, toJsonSafe(value)])),
  }
}
