import type { JsonSafeNumber } from '@shared/evaluation/types'

/** The metrics of a matrix cell, in the paper's column order, with the short names used in its tables. */
export const CELL_METRICS = [
  { key: 'sensitivity', label: 'Sens' },
  { key: 'specificity', label: 'Spec' },
  { key: 'fScore', label: 'F' },
  { key: 'accuracy', label: 'Acc' },
  { key: 'balancedAccuracy', label: 'BA' },
  { key: 'auc', label: 'AUC' },
  { key: 'diagnosticOddsRatio', label: 'DOR' },
] as const

/** A metric value as text: ∞ for an infinite DOR, — when undefined. */
export function formatMetric(value: JsonSafeNumber | undefined): string {
  if (value === null || value === undefined) return '—'
  if (value === 'Infinity') return '∞'
  if (value === '-Infinity') return '−∞'
  return Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2)
}

/**
 * Heat colour of a cell from its balanced accuracy: red at chance (0.5), green at 1. Balanced accuracy, not
 * accuracy, because test sets are unbalanced and a model can score high by always answering the majority class.
 */
export function heatColour(balancedAccuracy: JsonSafeNumber | undefined): string {
  if (typeof balancedAccuracy !== 'number') return 'transparent'
  const t = Math.max(0, Math.min(1, (balancedAccuracy - 0.5) / 0.5))
  const hue = 0 + 120 * t
  return `hsla(${hue.toFixed(0)}, 55%, 35%, 0.55)`
}
