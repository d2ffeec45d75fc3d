import { aucWithStandardError, clamp, type ComparisonStatus, type Interval } from './delong'
import { normalCdf, twoSidedCriticalValue, twoSidedNormalPValue } from './distributions'
import type { BinaryInput } from './types'
import { validateBinaryInput, withContext } from './validate'

/**
 * Two AUCs measured on different test sets (the within-dataset test and an external one) are independent samples:
 * there is no pairing, so the difference is tested with the sum of the two variances (Hanley & McNeil 1982, "The
 * meaning and use of the area under a receiver operating characteristic (ROC) curve", Radiology 143:29–36), each
 * variance DeLong's nonparametric one (default) or Hanley & McNeil's formula. DeLong's paired test (`delong.ts`) does
 * not apply: it needs the same images scored by both models.
 */

/**
 * Hanley & McNeil's (1982) standard error of an AUC from the AUC and the class sizes alone, assuming exponential
 * score distributions: SE² = [A(1−A) + (P−1)(Q₁−A²) + (N−1)(Q₂−A²)] / (P·N), Q₁ = A/(2−A), Q₂ = 2A²/(1+A).
 * Their worked example (51 abnormal and 58 normal CT images, A = 0.893) gives SE = 0.032.
 */
export function hanleyMcNeilStandardError(auc: number, positives: number, negatives: number): number {
  if (!(positives >= 1 && negatives >= 1) || !(auc >= 0 && auc <= 1)) return Number.NaN
  const q1 = auc / (2 - auc)
  const q2 = (2 * auc * auc) / (1 + auc)
  const variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (positives * negatives)
  return Math.sqrt(Math.max(0, variance))
}

/** How the variance of each independent AUC is estimated. */
export type IndependentAucMethod = 'delong' | 'hanley-mcneil'

/** One side of an unpaired comparison. */
export interface IndependentAuc {
  auc: number
  standardError: number
  positives: number
  negatives: number
}

/** The test of two AUCs measured on different images (independent samples). Differences are first − second. */
export interface IndependentAucComparison {
  method: 'unpaired-delong' | 'unpaired-hanley-mcneil'
  status: ComparisonStatus
  first: IndependentAuc
  second: IndependentAuc
  difference: number
  /** √(SE₁² + SE₂²): no covariance term, because the two test sets share no image. */
  standardError: number
  ci: Interval
  z: number
  /** Two-sided p-value. */
  pValue: number
  /** One-sided p-value for "the first AUC is higher" (what a drop to an external set asks). */
  pValueFirstHigher: number
  undefinedReason?: string
}

function independentSide(input: BinaryInput, method: IndependentAucMethod, label: string): IndependentAuc & { undefinedReason?: string } {
  const measured = withContext(label, () => {
    validateBinaryInput(input.labels, input.scores, input.patients)
    return aucWithStandardError(input.labels, input.scores)
  })
  const { auc, positives, negatives } = measured
  // Hanley & McNeil's formula needs only the AUC and the counts, so it exists with a single image of a class.
  const standardError = method === 'hanley-mcneil' ? hanleyMcNeilStandardError(auc, positives, negatives) : measured.standardError
  const side = { auc, standardError, positives, negatives }
  return Number.isNaN(standardError) && measured.undefinedReason ? { ...side, undefinedReason: `${label}: ${measured.undefinedReason}` } : side
}

/**
 * Two AUCs from different test sets (e.g. the within-dataset test and an external one), compared as independent
 * samples: z = (A₁ − A₂) / √(SE₁² + SE₂²) (Hanley & McNeil 1982). DeLong's paired test does not apply because the
 * images differ. Each SE is DeLong's nonparametric one (default; pROC's `roc.test(paired = FALSE)` statistic D, which
 * pROC refers to a t distribution where this uses the normal) or Hanley & McNeil's formula.
 * @throws RangeError on invalid input (the message names which set).
 */
export function compareIndependentAucs(
  first: BinaryInput,
  second: BinaryInput,
  options: { method?: IndependentAucMethod; confidence?: number } = {},
): IndependentAucComparison {
  const method = options.method ?? 'delong'
  const confidence = options.confidence ?? 0.95
  const critical = twoSidedCriticalValue(confidence)
  const { undefinedReason: firstReason, ...a } = independentSide(first, method, 'first test set')
  const { undefinedReason: secondReason, ...b } = independentSide(second, method, 'second test set')
  const difference = a.auc - b.auc
  const standardError = Math.sqrt(a.standardError ** 2 + b.standardError ** 2)
  const common = { method: method === 'delong' ? ('unpaired-delong' as const) : ('unpaired-hanley-mcneil' as const), first: a, second: b, difference, standardError }
  const reason = [firstReason, secondReason].filter(Boolean).join('; ')
  if (reason) {
    const status: ComparisonStatus = Number.isNaN(a.auc) || Number.isNaN(b.auc) ? 'one-class' : 'too-few-images'
    return { ...common, status, ci: { lower: Number.NaN, upper: Number.NaN, confidence }, z: Number.NaN, pValue: Number.NaN, pValueFirstHigher: Number.NaN, undefinedReason: reason }
  }
  if (standardError === 0) {
    if (difference === 0) return { ...common, status: 'identical', ci: { lower: 0, upper: 0, confidence }, z: 0, pValue: 1, pValueFirstHigher: 0.5, undefinedReason: 'both AUCs are estimated without variability (e.g. both perfect) and are equal' }
    return { ...common, status: 'no-variance', ci: { lower: Number.NaN, upper: Number.NaN, confidence }, z: Number.NaN, pValue: Number.NaN, pValueFirstHigher: Number.NaN, undefinedReason: 'both standard errors are 0, so no p-value can be computed' }
  }
  const z = difference / standardError
  return {
    ...common,
    status: 'ok',
    ci: { lower: clamp(difference - critical * standardError, -1, 1), upper: clamp(difference + critical * standardError, -1, 1), confidence },
    z,
    pValue: twoSidedNormalPValue(z),
    pValueFirstHigher: normalCdf(-z),
  }
}
