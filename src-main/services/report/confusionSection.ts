/**
 * The report's confusion matrices: for every evaluated cell of the matrix, the four counts its sensitivity,
 * specificity and the rest come from, at the threshold the evaluation used. Pure: data in, escaped HTML out.
 */
import type { EvaluationMatrix, EvaluationRecord } from '@shared/evaluation/types'
import { escapeHtml } from './htmlReport'

/** One evaluated cell with its stored record, in matrix order. */
interface EvaluatedCell {
  modelName: string
  testSetName: string
  evaluation: EvaluationRecord
}

function evaluatedCells(matrix: EvaluationMatrix, evaluations: EvaluationRecord[]): EvaluatedCell[][] {
  const byId = new Map(evaluations.map((evaluation) => [evaluation.id, evaluation]))
  return matrix.columns.map((column, c) =>
    matrix.rows.flatMap((row, r) => {
      const evaluation = byId.get(matrix.cells[r][c].evaluationId ?? '')
      return evaluation ? [{ modelName: row.name || row.runId, testSetName: column.name, evaluation }] : []
    }),
  )
}

/** The count the four cells must add up to: the images the evaluation scored. */
function expectedTotal(evaluation: EvaluationRecord): number {
  return evaluation.predictions.length > 0 ? evaluation.predictions.length : evaluation.metrics.counts.n
}

function countTotal(evaluation: EvaluationRecord): number {
  const { tp, fp, tn, fn } = evaluation.metrics.confusion
  return tp + fp + tn + fn
}

/** Cells whose stored counts do not add up to the images scored: a damaged or hand-edited record. */
export function confusionWarnings(matrix: EvaluationMatrix, evaluations: EvaluationRecord[]): string[] {
  return evaluatedCells(matrix, evaluations)
    .flat()
    .filter(({ evaluation }) => countTotal(evaluation) !== expectedTotal(evaluation) || evaluation.metrics.counts.n !== expectedTotal(evaluation))
    .map(
      ({ modelName, testSetName, evaluation }) =>
        `${modelName} on ${testSetName}: the confusion matrix counts ${countTotal(evaluation)} images but the evaluation scored ${expectedTotal(evaluation)}; its stored record looks damaged, evaluate it again.`,
    )
}

/** The section: one small table per evaluated cell, grouped by test set; empty without evaluations. */
export function confusionSection(matrix: EvaluationMatrix, evaluations: EvaluationRecord[]): string {
  const groups = evaluatedCells(matrix, evaluations)
    .filter((cells) => cells.length > 0)
    .map((cells) => `<h3>Test set ${escapeHtml(cells[0].testSetName)}</h3><div class="charts">${cells.map(confusionTable).join('')}</div>`)
  if (groups.length === 0) return ''
  return `<h2>Confusion matrices</h2><p class="meta">Images per true and predicted class; an image is predicted COVID+ when the model's probability is at or above the threshold named under each table.</p>${groups.join('')}`
}

function confusionTable({ modelName, testSetName, evaluation }: EvaluatedCell): string {
  const { tp, fp, tn, fn } = evaluation.metrics.confusion
  const threshold = evaluation.metrics.threshold
  const table =
    `<table class="confusion"><tr><th></th><th>predicted COVID+</th><th>predicted COVID−</th></tr>` +
    `<tr><th>true COVID+</th><td>${escapeHtml(tp)}</td><td>${escapeHtml(fn)}</td></tr>` +
    `<tr><th>true COVID−</th><td>${escapeHtml(fp)}</td><td>${escapeHtml(tn)}</td></tr></table>`
  const caption = `${modelName} on ${testSetName}: threshold ${threshold}, n = ${countTotal(evaluation)}`
  return `<figure>${table}<figcaption>${escapeHtml(caption)}</figcaption></figure>`
}
