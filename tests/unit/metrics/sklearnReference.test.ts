import { describe, it, expect } from 'vitest'
import { binaryMetrics, confusionMatrix, rocAuc, rocCurve } from '@shared/metrics'

/*
 * Reference values from scikit-learn 1.2.1 (numpy 1.24.2, Debian python3-sklearn
 * 1.2.1+dfsg-1), computed once by a scratch script and pasted here; the tests
 * never run Python. Datasets were drawn with numpy.random.default_rng(seed):
 *   tied       (seed 1): 30 cases, scores rounded to 2 decimals, two scores exactly 0.5
 *   coarse     (seed 2): 40 cases, scores on a 0.1 grid (heavy ties, several exactly 0.5)
 *   imbalanced (seed 3): 25 cases, 5 positives, FN = 0 at 0.5 (so DOR = ∞)
 * With y_pred = (scores >= 0.5), the script printed repr() of:
 *   confusion_matrix(y, y_pred, labels=[0, 1]).ravel()   → tn, fp, fn, tp
 *   roc_auc_score(y, scores)
 *   roc_curve(y, scores, drop_intermediate=False)         → fpr, tpr, thresholds
 *   balanced_accuracy_score(y, y_pred), f1_score(y, y_pred), fbeta_score(y, y_pred, beta=2)
 *   precision_score(y, y_pred), recall_score(y, y_pred), recall_score(y, y_pred, pos_label=0)
 *   accuracy_score(y, y_pred)
 * sklearn 1.2 sets the first ROC threshold to max(score) + 1; sklearn >= 1.3
 * (and this module) use Infinity, so that first threshold is compared apart.
 */
interface Reference {
  labels: number[]
  scores: number[]
  confusion: { tp: number; fp: number; tn: number; fn: number }
  rocAucScore: number
  balancedAccuracyScore: number
  f1Score: number
  fbetaScoreBeta2: number
  precisionScore: number
  recallScore: number
  recallScoreNegative: number
  accuracyScore: number
  rocFpr: number[]
  rocTpr: number[]
  rocThresholds: number[]
}

const references: Record<string, Reference> = {
  tied: {
    labels: [0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0],
    scores: [0.49, 0.63, 0.57, 0.5, 0.32, 0.38, 0.57, 0.88, 0.58, 0.0, 0.25, 0.34, 0.29, 0.67, 0.42, 0.8, 0.4, 0.55, 0.78, 0.5, 0.76, 0.52, 0.3, 0.66, 0.65, 0.13, 0.24, 0.61, 0.19, 0.36],
    confusion: { tp: 12, fp: 4, tn: 11, fn: 3 },
    rocAucScore: 0.7577777777777778,
    balancedAccuracyScore: 0.7666666666666666,
    f1Score: 0.7741935483870969,
    fbetaScoreBeta2: 0.7894736842105263,
    precisionScore: 0.75,
    recallScore: 0.8,
    recallScoreNegative: 0.7333333333333333,
    accuracyScore: 0.7666666666666667,
    rocFpr: [0.0, 0.0, 0.06666666666666667, 0.13333333333333333, 0.13333333333333333, 0.13333333333333333, 0.13333333333333333, 0.13333333333333333, 0.13333333333333333, 0.13333333333333333, 0.2, 0.2, 0.2, 0.2, 0.26666666666666666, 0.3333333333333333, 0.4, 0.4, 0.4666666666666667, 0.5333333333333333, 0.6, 0.6666666666666666, 0.6666666666666666, 0.7333333333333333, 0.7333333333333333, 0.8, 0.8666666666666667, 0.9333333333333333, 1.0],
    rocTpr: [0.0, 0.06666666666666667, 0.06666666666666667, 0.06666666666666667, 0.13333333333333333, 0.2, 0.26666666666666666, 0.3333333333333333, 0.4, 0.4666666666666667, 0.4666666666666667, 0.6, 0.6666666666666666, 0.7333333333333333, 0.8, 0.8, 0.8, 0.8666666666666667, 0.8666666666666667, 0.8666666666666667, 0.8666666666666667, 0.8666666666666667, 0.9333333333333333, 0.9333333333333333, 1.0, 1.0, 1.0, 1.0, 1.0],
    rocThresholds: [1.88, 0.88, 0.8, 0.78, 0.76, 0.67, 0.66, 0.65, 0.63, 0.61, 0.58, 0.57, 0.55, 0.52, 0.5, 0.49, 0.42, 0.4, 0.38, 0.36, 0.34, 0.32, 0.3, 0.29, 0.25, 0.24, 0.19, 0.13, 0.0],
  },
  coarse: {
    labels: [1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0],
    scores: [0.4, 0.3, 0.5, 0.4, 0.6, 1.0, 0.7, 0.6, 0.8, 0.4, 1.0, 1.0, 0.4, 0.4, 0.7, 0.6, 0.8, 0.0, 0.4, 0.2, 0.8, 0.3, 0.4, 0.7, 0.6, 0.6, 0.6, 0.9, 0.7, 0.5, 0.4, 0.5, 0.7, 0.6, 0.9, 0.7, 0.4, 0.7, 0.1, 0.3],
    confusion: { tp: 14, fp: 11, tn: 10, fn: 5 },
    rocAucScore: 0.6867167919799498,
    balancedAccuracyScore: 0.606516290726817,
    f1Score: 0.6363636363636364,
    fbetaScoreBeta2: 0.693069306930693,
    precisionScore: 0.56,
    recallScore: 0.7368421052631579,
    recallScoreNegative: 0.47619047619047616,
    accuracyScore: 0.6,
    rocFpr: [0.0, 0.0, 0.0, 0.09523809523809523, 0.23809523809523808, 0.42857142857142855, 0.5238095238095238, 0.8095238095238095, 0.9047619047619048, 0.9047619047619048, 0.9523809523809523, 1.0],
    rocTpr: [0.0, 0.15789473684210525, 0.2631578947368421, 0.3157894736842105, 0.5263157894736842, 0.6842105263157895, 0.7368421052631579, 0.8947368421052632, 0.9473684210526315, 1.0, 1.0, 1.0],
    rocThresholds: [2.0, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0],
  },
  imbalanced: {
    labels: [0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
    scores: [0.2582, 0.4035, 0.6182, 0.4406, 0.8964, 0.4502, 0.7728, 0.8243, 0.633, 0.3763, 0.4544, 0.6319, 0.9583, 0.433, 0.7224, 0.7315, 0.2918, 0.4276, 0.7073, 0.8557, 0.5229, 0.6615, 0.0558, 0.7352, 0.2769],
    confusion: { tp: 5, fp: 9, tn: 11, fn: 0 },
    rocAucScore: 0.96,
    balancedAccuracyScore: 0.775,
    f1Score: 0.5263157894736842,
    fbetaScoreBeta2: 0.7352941176470588,
    precisionScore: 0.35714285714285715,
    recallScore: 1.0,
    recallScoreNegative: 0.55,
    accuracyScore: 0.64,
    rocFpr: [0.0, 0.0, 0.0, 0.0, 0.05, 0.05, 0.1, 0.15, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0],
    rocTpr: [0.0, 0.2, 0.4, 0.6, 0.6, 0.8, 0.8, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    rocThresholds: [1.9583, 0.9583, 0.8964, 0.8557, 0.8243, 0.7728, 0.7352, 0.7315, 0.7224, 0.7073, 0.6615, 0.633, 0.6319, 0.6182, 0.5229, 0.4544, 0.4502, 0.4406, 0.433, 0.4276, 0.4035, 0.3763, 0.2918, 0.2769, 0.2582, 0.0558],
  },
}

// sklearn divides the same integers, so rates agree to the last bit or one ulp;
// 14 decimals leaves room for the different order of operations in BA and F.
const DIGITS = 14

describe.each(Object.entries(references))('scikit-learn 1.2.1 reference: %s', (_name, reference) => {
  const { labels, scores } = reference
  const matrix = confusionMatrix(labels, scores, 0.5)
  const metrics = binaryMetrics(matrix)

  it('confusion_matrix', () => {
    expect(matrix).toEqual(reference.confusion)
  })

  it('roc_auc_score', () => {
    expect(rocAuc(labels, scores).auc).toBeCloseTo(reference.rocAucScore, DIGITS)
  })

  it('precision_score, recall_score (both classes), accuracy_score', () => {
    expect(metrics.precision).toBeCloseTo(reference.precisionScore, DIGITS)
    expect(metrics.sensitivity).toBeCloseTo(reference.recallScore, DIGITS)
    expect(metrics.specificity).toBeCloseTo(reference.recallScoreNegative, DIGITS)
    expect(metrics.accuracy).toBeCloseTo(reference.accuracyScore, DIGITS)
  })

  it('balanced_accuracy_score, f1_score, fbeta_score(beta=2)', () => {
    expect(metrics.balancedAccuracy).toBeCloseTo(reference.balancedAccuracyScore, DIGITS)
    expect(metrics.fScore).toBeCloseTo(reference.f1Score, DIGITS)
    expect(binaryMetrics(matrix, { fBeta: 2 }).fScore).toBeCloseTo(reference.fbetaScoreBeta2, DIGITS)
  })

  it('roc_curve(drop_intermediate=False) points', () => {
    const points = rocCurve(labels, scores)
    expect(points).toHaveLength(reference.rocFpr.length)
    expect(points.map((point) => point.fpr)).toEqual(reference.rocFpr)
    expect(points.map((point) => point.tpr)).toEqual(reference.rocTpr)
    expect(points[0].threshold).toBe(Number.POSITIVE_INFINITY)
    expect(reference.rocThresholds[0]).toBeCloseTo(reference.rocThresholds[1] + 1, 12) // sklearn 1.2's max + 1
    expect(points.slice(1).map((point) => point.threshold)).toEqual(reference.rocThresholds.slice(1))
  })
})

describe('scikit-learn reference: DOR on the imbalanced set', () => {
  it('is Infinity because FN = 0 (sklearn has no DOR; TP·TN/(FP·FN) = 5·11/(9·0))', () => {
    const matrix = confusionMatrix(references.imbalanced.labels, references.imbalanced.scores)
    expect(binaryMetrics(matrix).diagnosticOddsRatio).toBe(Number.POSITIVE_INFINITY)
    // Haldane: 5.5·11.5/(9.5·0.5) = 63.25/4.75 = 13.315789…
    expect(binaryMetrics(matrix, { haldane: true }).diagnosticOddsRatio).toBeCloseTo(63.25 / 4.75, 13)
  })
})
