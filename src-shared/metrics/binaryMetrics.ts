import type { BinaryMetricName, BinaryMetricOptions, BinaryMetrics, ConfusionMatrix } from './types'

/**
 * Definitions follow Šimundić 2009 ("Measures of diagnostic accuracy: basic
 * definitions", eJIFCC 19(4):203), the reference cited by the paper for its
 * metric list, plus:
 * - diagnostic odds ratio: Glas, Lijmer, Prins, Bonsel & Bossuyt 2003,
 *   "The diagnostic odds ratio: a single indicator of test performance",
 *   J Clin Epidemiol 56(11):1129–1135;
 * - Haldane correction: Haldane 1956, Ann Hum Genet 20:309–311;
 * - F-β: van Rijsbergen 1979, "Information Retrieval", ch. 7;
 * - balanced accuracy: Brodersen et al. 2010, ICPR, "The balanced accuracy
 *   and its posterior distribution";
 * - Youden's J: Youden 1950, Cancer 3(1):32–35.
 *
 * Undefined ratios (0/0) are `NaN` with a reason instead of a thrown error,
 * because they are facts about the data (e.g. a test set with no COVID−
 * patients has no specificity), and a table or a bootstrap must keep going.
 */

/** Reason strings, shared so tests and UIs can match on them. */
export const UNDEFINED_REASONS = {
  noCases: 'no cases',
  noPositives: 'no positive cases',
  noNegatives: 'no negative cases',
  noPositivePredictions: 'no positive predictions',
  noNegativePredictions: 'no negative predictions',
  noPositivesNorPositivePredictions: 'no positive cases and no positive predictions',
  dorZeroOverZero: 'TP·TN and FP·FN are both 0 (0/0)',
} as const

const HALDANE_INCREMENT = 0.5

function checkCount(matrix: ConfusionMatrix, field: keyof ConfusionMatrix): number {
  const value = matrix[field]
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`confusion matrix field ${field} must be a finite non-negative number, got ${String(value)}`)
  }
  return value
}

/**
 * Safe ratio: `NaN` (and a recorded reason) when the denominator is 0, so
 * callers never divide by zero silently into ±Infinity for rates.
 */
function ratio(
  numerator: number,
  denominator: number,
  name: BinaryMetricName,
  reason: string,
  reasons: Partial<Record<BinaryMetricName, string>>,
): number {
  if (denominator === 0) {
    reasons[name] = reason
    return Number.NaN
  }
  return numerator / denominator
}

/**
 * Diagnostic odds ratio (Glas et al. 2003): DOR = (TP·TN) / (FP·FN), the odds
 * of a positive call in the diseased over the odds in the non-diseased.
 *
 * - FP·FN = 0 and TP·TN > 0 → `Infinity` (a perfect or one-sided-perfect test:
 *   the odds ratio genuinely diverges, and reporting it as such is more
 *   honest than a large sentinel).
 * - TP·TN = 0 and FP·FN = 0 → `NaN` (0/0, reason recorded).
 * - With `haldane`, 0.5 is added to every cell first (unconditionally, so the
 *   estimator is the same for every table and bootstrap replicates stay
 *   comparable; some authors add it only when a cell is 0). The corrected DOR
 *   is always finite and positive.
 *
 * @returns the DOR and, when `NaN`, the reason.
 */
export function diagnosticOddsRatio(
  matrix: ConfusionMatrix,
  haldane = false,
): { value: number; undefinedReason?: string } {
  const increment = haldane ? HALDANE_INCREMENT : 0
  const tp = checkCount(matrix, 'tp') + increment
  const fp = checkCount(matrix, 'fp') + increment
  const tn = checkCount(matrix, 'tn') + increment
  const fn = checkCount(matrix, 'fn') + increment
  const numerator = tp * tn
  const denominator = fp * fn
  if (denominator === 0) {
    if (numerator === 0) return { value: Number.NaN, undefinedReason: UNDEFINED_REASONS.dorZeroOverZero }
    return { value: Number.POSITIVE_INFINITY }
  }
  return { value: numerator / denominator }
}

/**
 * Every threshold metric of a binary diagnostic test from its confusion matrix.
 *
 * - accuracy = (TP+TN)/N
 * - sensitivity (recall, TPR) = TP/(TP+FN)            — NaN: "no positive cases"
 * - specificity (TNR) = TN/(TN+FP)                    — NaN: "no negative cases"
 * - precision (PPV) = TP/(TP+FP)                      — NaN: "no positive predictions"
 * - negative predictive value = TN/(TN+FN)            — NaN: "no negative predictions"
 * - F-β = (1+β²)TP / ((1+β²)TP + β²FN + FP)           — NaN only when TP = FN = FP = 0.
 *   Written with counts rather than as the harmonic mean of precision and
 *   recall so that "positives exist but none predicted" gives 0, not NaN
 *   (sklearn's `f1_score` gives the same 0, with a warning).
 * - balanced accuracy = (sensitivity+specificity)/2   — NaN when either is NaN
 * - diagnostic odds ratio: see {@link diagnosticOddsRatio}
 * - Youden's J = sensitivity+specificity−1            — NaN when either is NaN
 *
 * The Haldane option only affects the DOR; the result records it as
 * `dorCorrection: 'haldane'`.
 *
 * @throws RangeError when a count is negative or not finite, or β is not a positive finite number.
 */
export function binaryMetrics(matrix: ConfusionMatrix, options: BinaryMetricOptions = {}): BinaryMetrics {
  const beta = options.fBeta ?? 1
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta <= 0) {
    throw new RangeError(`fBeta must be a positive finite number, got ${String(beta)}`)
  }
  const haldane = options.haldane === true
  const tp = checkCount(matrix, 'tp')
  const fp = checkCount(matrix, 'fp')
  const tn = checkCount(matrix, 'tn')
  const fn = checkCount(matrix, 'fn')
  const reasons: Partial<Record<BinaryMetricName, string>> = {}

  const accuracy = ratio(tp + tn, tp + fp + tn + fn, 'accuracy', UNDEFINED_REASONS.noCases, reasons)
  const sensitivity = ratio(tp, tp + fn, 'sensitivity', UNDEFINED_REASONS.noPositives, reasons)
  const specificity = ratio(tn, tn + fp, 'specificity', UNDEFINED_REASONS.noNegatives, reasons)
  const precision = ratio(tp, tp + fp, 'precision', UNDEFINED_REASONS.noPositivePredictions, reasons)
  const negativePredictiveValue = ratio(
    tn,
    tn + fn,
    'negativePredictiveValue',
    UNDEFINED_REASONS.noNegativePredictions,
    reasons,
  )
  const betaSquared = beta * beta
  const fScore = ratio(
    (1 + betaSquared) * tp,
    (1 + betaSquared) * tp + betaSquared * fn + fp,
    'fScore',
    UNDEFINED_REASONS.noPositivesNorPositivePredictions,
    reasons,
  )

  // Both BA and J inherit the reason(s) of whichever rate is missing.
  const rateReason = [reasons.sensitivity, reasons.specificity].filter(Boolean).join('; ')
  const balancedAccuracy = (sensitivity + specificity) / 2
  const youdenIndex = sensitivity + specificity - 1
  if (rateReason) {
    reasons.balancedAccuracy = rateReason
    reasons.youdenIndex = rateReason
  }

  const dor = diagnosticOddsRatio({ tp, fp, tn, fn }, haldane)
  if (dor.undefinedReason) reasons.diagnosticOddsRatio = dor.undefinedReason

  return {
    accuracy,
    sensitivity,
    specificity,
    precision,
    negativePredictiveValue,
    fScore,
    balancedAccuracy,
    diagnosticOddsRatio: dor.value,
    youdenIndex,
    fBeta: beta,
    dorCorrection: haldane ? 'haldane' : 'none',
    undefinedReasons: reasons,
  }
}
