import type { JsonSafeNumber } from '@shared/evaluation/types'
import { formatNumber } from '@shared/evaluation/verdicts'
import { formatBytes, formatDuration, type SeedMetric, type StudyAnalysis, type StudyEstimate, type StudyOverview } from '@shared/studies'
import { formatTable } from '../datasets/format'

/**
 * How `cxr study` prints a study: its state and progress in one line, then per recipe a block with one row per test
 * set (n, sensitivity and specificity as mean ± SD over seeds, balanced accuracy and AUC with the 95% interval of the
 * mean, the paper's numbers where it has the cell), then the comparisons' verdicts and the alarms.
 */

function value(number: JsonSafeNumber | undefined): number {
  if (number === null || number === undefined) return Number.NaN
  if (number === 'Infinity') return Number.POSITIVE_INFINITY
  if (number === '-Infinity') return Number.NEGATIVE_INFINITY
  return number
}

/** "0.72 ± 0.05", "0.72" with one seed, "n/a" when undefined. */
export function meanSd(metric: SeedMetric | undefined): string {
  if (!metric) return '—'
  const mean = formatNumber(value(metric.mean))
  const sd = value(metric.standardDeviation)
  return Number.isNaN(sd) ? mean : `${mean} ± ${formatNumber(sd)}`
}

/** "0.72 ± 0.05 [0.61, 0.83]". */
export function withInterval(metric: SeedMetric | undefined): string {
  if (!metric) return '—'
  const lower = value(metric.lower)
  return Number.isNaN(lower) ? meanSd(metric) : `${meanSd(metric)} [${formatNumber(lower)}, ${formatNumber(value(metric.upper))}]`
}

/** One line: state, runs, evaluations, ETA and who runs it. */
export function formatOverview({ record, progress }: StudyOverview): string {
  const runs = progress.runs
  const parts = [
    `${runs.completed} of ${runs.total} runs done${runs.active ? `, ${runs.active} training` : ''}${runs.failed ? `, ${runs.failed} failed` : ''}`,
    `${progress.evaluations.done} of ${progress.evaluations.total} evaluations`,
    ...(progress.probes.total ? [`${progress.probes.done} of ${progress.probes.total} dataset probes`] : []),
    ...(record.state === 'running' && progress.etaSeconds !== null ? [`about ${formatDuration(progress.etaSeconds)} left`] : []),
  ]
  const driver = progress.driver ? (progress.driver.thisProcess ? '' : `; run by ${progress.driver.kind === 'cli' ? 'a cxr command' : 'the app'} (process ${progress.driver.pid})`) : record.state === 'running' ? '; not running anywhere now: it continues when the app starts, or with cxr study run' : ''
  return `study "${record.spec.name}" (${record.id}): ${record.state}: ${parts.join(', ')}${driver}\n`
}

/** The estimate as a few lines. */
export function formatEstimate(estimate: StudyEstimate): string {
  const lines = [
    `estimate on ${estimate.backend}: about ${formatDuration(estimate.totalSeconds)} (training ${formatDuration(estimate.trainingSeconds)}, preparing inputs ${formatDuration(estimate.preparationSeconds)}, evaluating ${formatDuration(estimate.evaluationSeconds)}); disk ${formatBytes(estimate.disk.totalBytes)} (models ${formatBytes(estimate.disk.modelBytes)}, input cache ${formatBytes(estimate.disk.cacheBytes)})`,
    ...estimate.cells.map((cell) => `  ${cell.label}: ${cell.runs} runs × ${formatDuration(cell.secondsPerRun)}, ${(cell.parameters / 1e6).toFixed(2)} M parameters`),
    ...estimate.notes.map((note) => `  ${note}`),
  ]
  return `${lines.join('\n')}\n`
}

/** The table, comparisons and alarms. */
export function formatAnalysis(analysis: StudyAnalysis): string {
  const out: string[] = []
  out.push('Mean ± SD over seeds; [95% interval of the mean, patients resampled]; paper: Tartaglione et al. 2020 where it has the cell.\n')
  analysis.rows.forEach((row, rowIndex) => {
    const cells = analysis.cells[rowIndex]
    const seeds = Math.max(...cells.map((cell) => cell.seeds.length))
    out.push(`\n${row.label} (${seeds} of ${cells[0]?.seedsExpected ?? 0} seeds)\n`)
    const rows = cells.map((cell, column) => {
      const testSet = analysis.columns[column]
      const where = cell.internal ? 'within' : testSet.testOnly ? 'external' : 'other'
      const metrics = cell.metrics ?? {}
      const paper = cell.paper ? `${formatNumber(value(cell.paper.metrics.balancedAccuracy))} / ${formatNumber(value(cell.paper.metrics.auc))} (Table ${cell.paper.table})` : ''
      return [
        `${testSet.name} (${where})`,
        cell.n === null ? '—' : String(cell.n),
        meanSd(metrics.sensitivity),
        meanSd(metrics.specificity),
        withInterval(metrics.balancedAccuracy),
        withInterval(metrics.auc),
        paper,
      ]
    })
    out.push(formatTable([{ header: 'test set' }, { header: 'n', numeric: true }, { header: 'Sens' }, { header: 'Spec' }, { header: 'BA' }, { header: 'AUC' }, { header: 'paper BA / AUC' }], rows, '  '))
  })
  if (analysis.comparisons.length) {
    out.push('\nComparisons (Holm-corrected across the study):\n')
    for (const comparison of analysis.comparisons) out.push(`  ${comparison.testSetName}, ${comparison.context}${comparison.provisional ? ' (provisional: seeds missing)' : ''}: ${comparison.verdict.sentence}\n`)
  }
  if (analysis.alarms.length) {
    out.push('\nAlarms:\n')
    for (const alarm of analysis.alarms) out.push(`  ! ${alarm.scope === 'run' ? `${alarm.cellLabel}, seed ${alarm.seed}` : alarm.cellLabel}: ${alarm.message}\n`)
  } else {
    out.push('\nAlarms: none\n')
  }
  return out.join('')
}
