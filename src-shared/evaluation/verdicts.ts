/**
 * Plain-language verdicts: one sentence a radiologist reads for each comparison of two models, e.g.
 * "No evidence of a difference in AUC between A and B on 15 test images (0.81 vs 0.74, p = 0.42 after Holm
 * correction); the data allow a difference from −0.12 to 0.26." or
 * "A ranks the classes better than B (AUC 0.91 vs 0.62, difference 0.29 [0.12, 0.46], p = 0.001)."
 *
 * Every test result (DeLong, McNemar, paired bootstrap) is first turned into one plain {@link Comparison}, so the
 * wording lives in one place, multiple-comparison correction is applied across any mix of them, and a page can show
 * the numbers next to the sentence. "No evidence of a difference" is never written as "no difference": with 15 test
 * images only large differences can be detected, so the interval of compatible differences follows.
 */
import {
  adjustPValues,
  type ComparisonStatus,
  type CorrelatedAucComparison,
  type MetricName,
  type MultipleComparisonMethod,
  type PairedBootstrapResult,
  type ThresholdComparison,
} from '../metrics'

/** Which test produced a comparison. */
export type ComparisonMethod = 'delong' | 'mcnemar' | 'paired-bootstrap'

/** Two models compared on one metric, on the same test images. Differences are A − B. */
export interface Comparison {
  metric: MetricName
  method: ComparisonMethod
  nameA: string
  nameB: string
  valueA: number
  valueB: number
  difference: number
  /** Interval of the difference, when the method gives one. */
  ci?: { lower: number; upper: number; confidence: number }
  pValue: number
  /** The p-value after correction across a family of comparisons (see {@link adjustComparisons}). */
  adjustedPValue?: number
  correction?: MultipleComparisonMethod
  /** Test images (for sensitivity/specificity: the images of that class). */
  n: number
  /** Which images `n` counts, for the sentence. */
  population?: 'images' | 'COVID+ images' | 'COVID− images'
  status: ComparisonStatus
  undefinedReason?: string
  /** A caveat shown after the verdict (e.g. repeated patients for DeLong). */
  note?: string
}

/** Names of the two models in sentences. */
export interface ModelNames {
  nameA: string
  nameB: string
}

/** A DeLong comparison as a {@link Comparison} of AUC. */
export function fromDeLong(result: CorrelatedAucComparison, names: ModelNames): Comparison {
  return {
    metric: 'auc',
    method: 'delong',
    ...names,
    valueA: result.aucA,
    valueB: result.aucB,
    difference: result.difference,
    ci: result.ci,
    pValue: result.pValue,
    n: result.n,
    population: 'images',
    status: result.status,
    ...(result.undefinedReason !== undefined && result.status !== 'ok' ? { undefinedReason: result.undefinedReason } : {}),
    ...(result.note !== undefined ? { note: result.note } : {}),
  }
}

/** A McNemar comparison as a {@link Comparison} of accuracy, sensitivity or specificity. */
export function fromMcNemar(result: ThresholdComparison, names: ModelNames): Comparison {
  const population = result.outcome === 'sensitivity' ? 'COVID+ images' : result.outcome === 'specificity' ? 'COVID− images' : 'images'
  const identical = result.n > 0 && result.test.discordant === 0
  return {
    metric: result.outcome,
    method: 'mcnemar',
    ...names,
    valueA: result.valueA,
    valueB: result.valueB,
    difference: result.difference,
    ci: result.ci,
    pValue: result.test.pValue,
    n: result.n,
    population,
    status: result.n === 0 ? 'one-class' : identical ? 'identical' : 'ok',
    ...(result.undefinedReason !== undefined ? { undefinedReason: result.undefinedReason } : {}),
  }
}

/** One metric of a paired bootstrap as a {@link Comparison}. */
export function fromPairedBootstrap(result: PairedBootstrapResult, metric: MetricName, names: ModelNames & { n: number }): Comparison {
  const entry = result.differences[metric]
  const undefinedDifference = Number.isNaN(entry.difference) || Number.isNaN(entry.pValue)
  const identical = !undefinedDifference && entry.difference === 0 && entry.ci.lower === 0 && entry.ci.upper === 0
  return {
    metric,
    method: 'paired-bootstrap',
    nameA: names.nameA,
    nameB: names.nameB,
    valueA: entry.valueA,
    valueB: entry.valueB,
    difference: entry.difference,
    ci: { lower: entry.ci.lower, upper: entry.ci.upper, confidence: result.confidence },
    pValue: entry.pValue,
    n: names.n,
    population: 'images',
    status: undefinedDifference ? 'one-class' : identical ? 'identical' : 'ok',
    ...(undefinedDifference ? { undefinedReason: entry.undefinedReason ?? entry.ci.undefinedReason ?? 'the difference could not be estimated' } : {}),
  }
}

/**
 * Correct the p-values of a family of comparisons together (Holm by default): the family is what one study page
 * shows at once. Comparisons that could not be computed keep no adjusted value and do not count.
 */
export function adjustComparisons(comparisons: readonly Comparison[], method: MultipleComparisonMethod = 'holm'): Comparison[] {
  const { adjusted } = adjustPValues(comparisons.map((comparison) => comparison.pValue), method)
  return comparisons.map((comparison, index) =>
    Number.isNaN(adjusted[index]) ? { ...comparison } : { ...comparison, adjustedPValue: adjusted[index], correction: method },
  )
}

/** Display names of metrics in sentences. */
export const METRIC_LABELS: Record<MetricName, string> = {
  auc: 'AUC',
  accuracy: 'accuracy',
  sensitivity: 'sensitivity',
  specificity: 'specificity',
  precision: 'precision',
  negativePredictiveValue: 'negative predictive value',
  fScore: 'F-score',
  balancedAccuracy: 'balanced accuracy',
  diagnosticOddsRatio: 'diagnostic odds ratio',
  youdenIndex: 'Youden index',
}

/** What "better" means for each metric, as a verb phrase ("A … than B"). */
const BETTER: Record<MetricName, string> = {
  auc: 'ranks the classes better',
  accuracy: 'classifies more images correctly',
  sensitivity: 'misses fewer COVID+ images',
  specificity: 'raises fewer false alarms on COVID− images',
  precision: 'has a higher precision',
  negativePredictiveValue: 'has a higher negative predictive value',
  fScore: 'has a higher F-score',
  balancedAccuracy: 'has a higher balanced accuracy',
  diagnosticOddsRatio: 'has a higher diagnostic odds ratio',
  youdenIndex: 'has a higher Youden index',
}

/** Two decimals as in the paper's tables; "∞" for an infinite DOR, "n/a" when undefined, a true minus sign. */
export function formatNumber(value: number, decimals = 2): string {
  if (Number.isNaN(value)) return 'n/a'
  if (value === Number.POSITIVE_INFINITY) return '∞'
  if (value === Number.NEGATIVE_INFINITY) return '−∞'
  const text = Math.abs(value).toFixed(decimals)
  return value < 0 && Number(text) !== 0 ? `−${text}` : text
}

/** "p < 0.001", "p = 0.013" below 0.1, "p = 0.42" above (so 0.049 never reads as 0.05). */
export function formatPValue(p: number): string {
  if (Number.isNaN(p)) return 'p not computable'
  if (p < 0.001) return 'p < 0.001'
  return `p = ${p.toFixed(p < 0.1 ? 3 : 2)}`
}

/** A share as a whole percentage: 0.936 → "94%". */
export function formatPercent(share: number): string {
  return `${Math.round(share * 100)}%`
}

/** A verdict: the sentence and what it decided. */
export interface Verdict {
  sentence: string
  /** Whether the (adjusted, when present) p-value is below α. */
  significant: boolean
  /** Which model is better when significant. */
  better: 'A' | 'B' | null
}

function correctionText(method: MultipleComparisonMethod | undefined): string {
  if (method === undefined) return ''
  return method === 'holm' ? ' after Holm correction' : ' after Benjamini–Hochberg correction'
}

/** "15 test images", or "10 COVID+ test images" when only one class is counted. */
function sizeText(comparison: Comparison): string {
  const population = comparison.population ?? 'images'
  return `${comparison.n} ${population === 'images' ? 'test images' : population.replace(' images', ' test images')}`
}

/**
 * The sentence for one comparison. Significance uses the adjusted p-value when the comparison has one, else the raw
 * one, against α (default 0.05). Undefined and degenerate comparisons say why instead of giving a p-value.
 */
export function comparisonVerdict(comparison: Comparison, options: { alpha?: number } = {}): Verdict {
  const alpha = options.alpha ?? 0.05
  const { nameA, nameB, metric } = comparison
  const label = METRIC_LABELS[metric]
  const note = comparison.note ? ` Note: ${comparison.note}.` : ''
  if (comparison.status === 'identical') {
    const sentence =
      comparison.method === 'mcnemar'
        ? `${nameA} and ${nameB} make the same call on every one of the ${sizeText(comparison)} (${label} ${formatNumber(comparison.valueA)}): there is no difference to test.`
        : `${nameA} and ${nameB} ${metric === 'auc' ? 'rank' : 'score'} the ${sizeText(comparison)} identically (${label} ${formatNumber(comparison.valueA)}): there is no difference to test.`
    return { sentence, significant: false, better: null }
  }
  if (comparison.status !== 'ok') {
    const reason = comparison.undefinedReason ?? 'the test could not be computed'
    return { sentence: `The ${label} of ${nameA} and ${nameB} cannot be compared on these ${sizeText(comparison)}: ${reason}.`, significant: false, better: null }
  }
  const p = comparison.adjustedPValue ?? comparison.pValue
  const pText = `${formatPValue(p)}${comparison.adjustedPValue !== undefined ? correctionText(comparison.correction) : ''}`
  const significant = p < alpha
  if (!significant) {
    const interval = comparison.ci && !Number.isNaN(comparison.ci.lower)
      ? `; the data allow a difference from ${formatNumber(comparison.ci.lower)} to ${formatNumber(comparison.ci.upper)}`
      : ''
    return {
      sentence: `No evidence of a difference in ${label} between ${nameA} and ${nameB} on ${sizeText(comparison)} (${formatNumber(comparison.valueA)} vs ${formatNumber(comparison.valueB)}, ${pText})${interval}.${note}`,
      significant: false,
      better: null,
    }
  }
  const aBetter = comparison.difference > 0
  const [winner, loser] = aBetter ? [nameA, nameB] : [nameB, nameA]
  const [high, low] = aBetter ? [comparison.valueA, comparison.valueB] : [comparison.valueB, comparison.valueA]
  const sign = aBetter ? 1 : -1
  const interval = comparison.ci
    ? ` [${formatNumber(Math.min(sign * comparison.ci.lower, sign * comparison.ci.upper))}, ${formatNumber(Math.max(sign * comparison.ci.lower, sign * comparison.ci.upper))}]`
    : ''
  return {
    sentence: `${winner} ${BETTER[metric]} than ${loser} (${label} ${formatNumber(high)} vs ${formatNumber(low)}, difference ${formatNumber(sign * comparison.difference)}${interval}, ${pText}).${note}`,
    significant: true,
    better: aBetter ? 'A' : 'B',
  }
}
