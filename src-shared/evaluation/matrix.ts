/**
 * Assembling Table II's layout (rows: trained models; columns: test sets) from stored evaluations. Pure, so the
 * renderer can rebuild a matrix from summaries it already holds.
 */
import type { EvaluationMatrix, EvaluationSplit, EvaluationSummary, EvaluationVariant, MatrixCell, MatrixColumn, MatrixRow } from './types'
import { MATRIX_METRICS } from './types'

/** Inputs of {@link buildMatrix}. */
export interface BuildMatrixInput {
  rows: MatrixRow[]
  columns: MatrixColumn[]
  evaluations: EvaluationSummary[]
  split: EvaluationSplit
  variant: EvaluationVariant
}

/**
 * One cell per row × column: the newest evaluation of that run on that composition's split and variant (an
 * older one was superseded, e.g. re-run with other bootstrap settings), or an empty cell.
 */
export function buildMatrix(input: BuildMatrixInput): EvaluationMatrix {
  const latest = new Map<string, EvaluationSummary>()
  for (const evaluation of input.evaluations) {
    if (evaluation.split !== input.split || evaluation.variant !== input.variant) continue
    const key = cellKey(evaluation.runId, evaluation.compositionId)
    const previous = latest.get(key)
    if (!previous || evaluation.createdAt > previous.createdAt || (evaluation.createdAt === previous.createdAt && evaluation.id > previous.id)) latest.set(key, evaluation)
  }
  const cells: MatrixCell[][] = input.rows.map((row) =>
    input.columns.map((column) => {
      const evaluation = latest.get(cellKey(row.runId, column.compositionId))
      if (!evaluation) return { runId: row.runId, compositionId: column.compositionId, evaluationId: null, n: null, metrics: null }
      const metrics = Object.fromEntries(MATRIX_METRICS.filter((name) => evaluation.metrics.metrics[name]).map((name) => [name, evaluation.metrics.metrics[name]]))
      return { runId: row.runId, compositionId: column.compositionId, evaluationId: evaluation.id, n: evaluation.metrics.counts.n, metrics }
    }),
  )
  return { split: input.split, variant: input.variant, rows: input.rows, columns: input.columns, cells }
}

/** The row × column pairs of a matrix without an evaluation. */
export function missingCells(matrix: EvaluationMatrix): { runId: string; compositionId: string }[] {
  return matrix.cells.flat().filter((cell) => cell.evaluationId === null).map(({ runId, compositionId }) => ({ runId, compositionId }))
}

function cellKey(runId: string, compositionId: string): string {
  return `${runId}\u0000${compositionId}`
}
