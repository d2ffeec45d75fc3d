/**
 * The report's study and alarm sections: a study's table (mean ± SD over seeds with the interval of the mean and the
 * paper's numbers beside), its comparisons with their verdicts, and every alarm with its evidence. Pure: data in,
 * escaped HTML out.
 */
import type { EvaluationMatrix, EvaluationRecord, JsonSafeNumber } from '@shared/evaluation/types'
import { escapeHtml } from './htmlReport'
import { evaluationAlarms, STUDY_METRICS, type SeedMetric, type StudyAnalysis, type StudyMetric } from '@shared/studies'

const LABELS: Record<StudyMetric, string> = { sensitivity: 'Sens', specificity: 'Spec', fScore: 'F', accuracy: 'Acc', balancedAccuracy: 'BA', auc: 'AUC', diagnosticOddsRatio: 'DOR' }

/** An alarm as the report lists it: where, what, and its evidence. */
export interface ReportAlarm {
  where: string
  message: string
  evidence: Record<string, unknown>
}

const html = escapeHtml

function number(value: JsonSafeNumber | undefined, decimals = 2): string {
  if (value === null || value === undefined) return '—'
  if (value === 'Infinity') return '∞'
  if (value === '-Infinity') return '−∞'
  return value.toFixed(decimals)
}

function seedCell(metric: SeedMetric | undefined): string {
  if (!metric) return '—'
  const sd = metric.standardDeviation === null ? '' : ` ± ${number(metric.standardDeviation)}`
  const ci = metric.lower === null ? '' : ` <span class="ci">[${number(metric.lower)}, ${number(metric.upper)}]</span>`
  return `${number(metric.mean)}${sd}${ci}`
}

/** Every alarm a matrix's stored evaluations raise on their own (backward ranking, one-class calls). */
export function matrixAlarms(matrix: EvaluationMatrix, evaluations: EvaluationRecord[]): ReportAlarm[] {
  const byId = new Map(evaluations.map((evaluation) => [evaluation.id, evaluation]))
  const alarms: ReportAlarm[] = []
  matrix.rows.forEach((row, r) =>
    matrix.columns.forEach((column, c) => {
      const evaluation = byId.get(matrix.cells[r][c].evaluationId ?? '')
      if (!evaluation) return
      for (const alarm of evaluationAlarms(evaluation, column.name)) alarms.push({ where: row.name || row.runId, message: alarm.message, evidence: alarm.evidence as unknown as Record<string, unknown> })
    }),
  )
  return alarms
}

/** The alarms of a study, as the report lists them. */
export function studyReportAlarms(study: StudyAnalysis): ReportAlarm[] {
  return study.alarms.map((alarm) => ({ where: alarm.scope === 'run' ? `${alarm.cellLabel}, seed ${alarm.seed}` : `${alarm.cellLabel} (all seeds)`, message: alarm.message, evidence: alarm.evidence }))
}

/** The alarms section: each alarm's sentence and its evidence as a small table. */
export function alarmsSection(alarms: ReportAlarm[]): string {
  if (alarms.length === 0) return '<h2>Alarms</h2><p>None: no model ranks a test set backwards, calls every image one class, drops significantly on an external set, or shows its images’ source in its features.</p>'
  const items = alarms.map((alarm) => {
    const evidence = Object.entries(alarm.evidence)
      .map(([key, value]) => `<tr><th>${html(key)}</th><td>${html(typeof value === 'number' ? Number(value.toPrecision(4)) : typeof value === 'object' ? JSON.stringify(value) : value)}</td></tr>`)
      .join('')
    return `<li><strong>${html(alarm.where)}</strong>: ${html(alarm.message)}<details><summary>evidence</summary><table>${evidence}</table></details></li>`
  })
  return `<h2>Alarms</h2><div class="alarms"><ul>${items.join('')}</ul></div>`
}

/** The study's table, its comparisons and how the numbers were made. */
export function studySection(study: StudyAnalysis): string {
  const head = `<tr><th>Recipe</th>${study.columns.map((column) => `<th>${html(column.name)}${column.testOnly ? '<br><span class="ci">external test set</span>' : ''}</th>`).join('')}</tr>`
  const body = study.rows
    .map((row, r) => {
      const cells = study.cells[r].map((cell) => {
        if (!cell.metrics) return '<td class="empty">not evaluated yet</td>'
        const lines = STUDY_METRICS.map((metric) => {
          const paper = cell.paper?.metrics[metric]
          return `<div>${LABELS[metric]} ${seedCell(cell.metrics?.[metric])}${paper !== undefined ? ` <span class="paper">paper ${number(paper)}</span>` : ''}</div>`
        })
        const seeds = `${cell.seeds.length} of ${cell.seedsExpected} seeds, n = ${cell.n}${cell.internal ? ', within-dataset' : ''}${cell.paper ? `; paper: Table ${cell.paper.table}` : ''}`
        return `<td class="cell">${lines.join('')}<div class="ci">${html(seeds)}</div></td>`
      })
      return `<tr><th>${html(row.label)}</th>${cells.join('')}</tr>`
    })
    .join('\n')
  const comparisons = study.comparisons.length
    ? `<h3>Comparisons</h3><ul>${study.comparisons
        .map((comparison) => `<li><strong>${html(comparison.testSetName)}, ${html(comparison.context)}${comparison.provisional ? ' (provisional: seeds missing)' : ''}</strong>: ${html(comparison.verdict.sentence)}</li>`)
        .join('')}</ul>`
    : '<h3>Comparisons</h3><p>None yet: no two evaluated cells differ in one factor on the same test set.</p>'
  const methods = `<ul class="meta">${study.methods.map((line) => `<li>${html(line)}</li>`).join('')}</ul>`
  return `<h2>Study: ${html(study.name)}</h2><p class="meta">Mean ± SD over seeds, [95% interval of the mean]; the paper’s value beside where it has the cell.</p><table>${head}\n${body}</table>${comparisons}${methods}`
}
