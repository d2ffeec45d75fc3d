import type { JsonSafeNumber } from '@shared/evaluation/types'
import type { SeedMetric, StudyMetric } from '@shared/studies'

/** The metrics a study table can show, with the paper's short names, balanced accuracy first. */
export const STUDY_TABLE_METRICS: { key: StudyMetric; label: string; long: string }[] = [
  { key: 'balancedAccuracy', label: 'BA', long: 'balanced accuracy' },
  { key: 'auc', label: 'AUC', long: 'AUC' },
  { key: 'sensitivity', label: 'Sens', long: 'sensitivity' },
  { key: 'specificity', label: 'Spec', long: 'specificity' },
  { key: 'fScore', label: 'F', long: 'F-score' },
  { key: 'accuracy', label: 'Acc', long: 'accuracy' },
  { key: 'diagnosticOddsRatio', label: 'DOR', long: 'diagnostic odds ratio' },
]

/** Two decimals (one above 10), ∞, or — when undefined. */
export function formatValue(value: JsonSafeNumber | undefined): string {
  if (value === null || value === undefined) return '—'
  if (value === 'Infinity') return '∞'
  if (value === '-Infinity') return '−∞'
  return Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2)
}

/** "0.72 ± 0.05" (or the value alone with one seed). */
export function meanSd(metric: SeedMetric | undefined): string {
  if (!metric) return '—'
  return metric.standardDeviation === null ? formatValue(metric.mean) : `${formatValue(metric.mean)} ± ${formatValue(metric.standardDeviation)}`
}

/** "[0.61, 0.83]", or '' without an interval. */
export function interval(metric: SeedMetric | undefined): string {
  return metric && metric.lower !== null ? `[${formatValue(metric.lower)}, ${formatValue(metric.upper)}]` : ''
}
