/**
 * Shared types for the diagnostic-accuracy metrics.
 *
 * Everything here is plain data (numbers, strings, records) so a result can
 * cross the Electron IPC boundary or be printed by `cxr metrics` unchanged;
 * the only non-JSON values are `Infinity` and `NaN`, which `toJsonSafe` maps.
 */

/**
 * A 2×2 confusion matrix for a binary test (positive class = label 1).
 * Counts are usually integers; non-integer (weighted) counts are accepted by
 * `binaryMetrics` because the bootstrap and the Haldane correction need them.
 */
export interface ConfusionMatrix {
  /** True positives: label 1, predicted positive. */
  tp: number
  /** False positives: label 0, predicted positive. */
  fp: number
  /** True negatives: label 0, predicted negative. */
  tn: number
  /** False negatives: label 1, predicted negative. */
  fn: number
}

/** Names of the metrics derived from a single confusion matrix. */
export type BinaryMetricName =
  | 'accuracy'
  | 'sensitivity'
  | 'specificity'
  | 'precision'
  | 'negativePredictiveValue'
  | 'fScore'
  | 'balancedAccuracy'
  | 'diagnosticOddsRatio'
  | 'youdenIndex'

/** Every metric reported by `evaluateBinary`: the threshold metrics plus ROC AUC. */
export type MetricName = BinaryMetricName | 'auc'

/** The ordered list of threshold metrics, used to build tables and loops. */
export const BINARY_METRIC_NAMES: readonly BinaryMetricName[] = [
  'accuracy',
  'sensitivity',
  'specificity',
  'precision',
  'negativePredictiveValue',
  'fScore',
  'balancedAccuracy',
  'diagnosticOddsRatio',
  'youdenIndex',
]

/** The ordered list of every reported metric (threshold metrics, then AUC). */
export const METRIC_NAMES: readonly MetricName[] = [...BINARY_METRIC_NAMES, 'auc']

/** Which continuity correction, if any, was applied to the diagnostic odds ratio. */
export type DiagnosticOddsRatioCorrection = 'none' | 'haldane'

/** Options for `binaryMetrics`. */
export interface BinaryMetricOptions {
  /**
   * β of the F-score (van Rijsbergen 1979): β > 1 weighs recall more,
   * β < 1 weighs precision more. Default 1 (F1, the harmonic mean).
   */
  fBeta?: number
  /**
   * Add 0.5 to every cell before computing the diagnostic odds ratio
   * (Haldane 1956 / Anscombe 1956), so that DOR stays finite when a cell is 0.
   * Only the DOR is corrected; the other metrics always use the raw counts.
   * Default false.
   */
  haldane?: boolean
}

/** Point estimates of every threshold metric for one confusion matrix. */
export interface BinaryMetrics {
  /** (TP + TN) / N. */
  accuracy: number
  /** Sensitivity = recall = true-positive rate = TP / (TP + FN). */
  sensitivity: number
  /** Specificity = true-negative rate = TN / (TN + FP). */
  specificity: number
  /** Precision = positive predictive value = TP / (TP + FP). */
  precision: number
  /** Negative predictive value = TN / (TN + FN). */
  negativePredictiveValue: number
  /** F-β score = (1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP); F1 when β = 1. */
  fScore: number
  /** (sensitivity + specificity) / 2. */
  balancedAccuracy: number
  /** (TP·TN) / (FP·FN); `Infinity` when only the denominator is 0, `NaN` when both are. */
  diagnosticOddsRatio: number
  /** Youden's J = sensitivity + specificity − 1. */
  youdenIndex: number
  /** The β used for `fScore`. */
  fBeta: number
  /** Whether the DOR was Haldane-corrected. */
  dorCorrection: DiagnosticOddsRatioCorrection
  /** For every metric that is `NaN`, a human-readable reason (e.g. "no positive cases"). */
  undefinedReasons: Partial<Record<BinaryMetricName, string>>
}

/** Result of the exact ROC AUC computation. */
export interface AucResult {
  /** Area under the ROC curve, ties counted as 1/2; `NaN` when one class is absent. */
  auc: number
  /** Number of label-1 cases. */
  positives: number
  /** Number of label-0 cases. */
  negatives: number
  /** Set when `auc` is `NaN`. */
  undefinedReason?: string
}

/** One vertex of the empirical ROC curve. */
export interface RocPoint {
  /** False-positive rate = FP / negatives at this threshold. */
  fpr: number
  /** True-positive rate = TP / positives at this threshold. */
  tpr: number
  /** Cases with score >= threshold are called positive; the first point uses `Infinity`. */
  threshold: number
}

/** A bootstrap confidence interval for one metric. */
export interface ConfidenceInterval {
  /** Lower percentile bound (`NaN` when no replicate was valid). */
  lower: number
  /** Upper percentile bound (`NaN` when no replicate was valid; may be `Infinity` for the DOR). */
  upper: number
  /** Replicates in which the metric was defined (not `NaN`) and hence used. */
  validReplicates: number
  /** Set when no replicate was valid. */
  undefinedReason?: string
}

/** A metric's point estimate, with its reason when undefined and its CI when bootstrapped. */
export interface MetricEstimate {
  /** Point estimate on the full data. */
  value: number
  /** Why `value` is `NaN`, when it is. */
  undefinedReason?: string
  /** Bootstrap percentile interval, present only when bootstrapping was requested. */
  ci?: ConfidenceInterval
}

/** Labels, scores and optional patient identifiers for one evaluation set. */
export interface BinaryInput {
  /** Ground truth, 0 or 1 per image. */
  labels: ArrayLike<number>
  /** Model score per image (higher = more likely positive); must be finite. */
  scores: ArrayLike<number>
  /** Patient identifier per image; images of one patient are resampled together. */
  patients?: ArrayLike<string>
}

/** Bootstrap settings. */
export interface BootstrapSettings {
  /** Number of bootstrap replicates B. Default 2000. */
  replicates?: number
  /** Two-sided confidence level in (0, 1). Default 0.95. */
  confidence?: number
  /** Seed of the xoshiro128** generator (any 32-bit integer). Default 20200428. */
  seed?: number
}
