import { rocAuc, rocCurve } from './auc'
import { binaryMetrics } from './binaryMetrics'
import { bootstrapConfidenceIntervals, DEFAULT_BOOTSTRAP } from './bootstrap'
import { confusionMatrix } from './confusion'
import { youdenThreshold, type YoudenThreshold } from './threshold'
import type {
  BinaryInput,
  BootstrapSettings,
  ConfusionMatrix,
  DiagnosticOddsRatioCorrection,
  MetricEstimate,
  MetricName,
  RocPoint,
} from './types'
import { BINARY_METRIC_NAMES } from './types'
import { validateBinaryInput, validateThreshold } from './validate'

/** Input of `evaluateBinary`: the data plus how to score them. */
export interface EvaluateOptions extends BinaryInput {
  /** Decision threshold (score >= threshold is positive). Default 0.5, as in the paper. */
  threshold?: number
  /** Haldane-correct the DOR (+0.5 to every cell). Default false, as in the paper. */
  haldane?: boolean
  /** β of the F-score. Default 1 (F1, the paper's "F-score"). */
  fBeta?: number
  /** Bootstrap settings; when absent no confidence intervals are computed. */
  bootstrap?: BootstrapSettings
  /** Include the ROC curve points (can be long: one point per distinct score). Default false. */
  includeRocCurve?: boolean
}

/** Sample sizes of an evaluation set. */
export interface EvaluationCounts {
  /** Number of images. */
  n: number
  /** Images with label 1. */
  positives: number
  /** Images with label 0. */
  negatives: number
  /** Distinct patient ids, or `n` when no ids were given (each image its own patient). */
  patients: number
  /** Whether patient ids were supplied. */
  patientIdsProvided: boolean
}

/** Settings of the bootstrap that produced the intervals in `metrics[*].ci`. */
export interface EvaluationBootstrap {
  method: 'percentile'
  resamplingUnit: 'patient' | 'image'
  clusters: number
  replicates: number
  confidence: number
  seed: number
}

/**
 * Everything a results table or `cxr metrics` prints for one model on one
 * test set. JSON-serialisable except for `Infinity`/`NaN` numbers; pass it
 * through `toJsonSafe` before `JSON.stringify`.
 */
export interface EvaluationResult {
  /** Threshold used for the threshold metrics. */
  threshold: number
  /** β of the F-score. */
  fBeta: number
  /** DOR continuity correction applied. */
  dorCorrection: DiagnosticOddsRatioCorrection
  /** Sample sizes. */
  counts: EvaluationCounts
  /** Confusion matrix at `threshold`. */
  confusion: ConfusionMatrix
  /** Every metric (threshold metrics + AUC): point estimate, reason if undefined, CI if bootstrapped. */
  metrics: Record<MetricName, MetricEstimate>
  /** Youden-optimal threshold on this data (informational: optimistic if applied to the same data). */
  youden: YoudenThreshold
  /** Bootstrap settings, present when intervals were computed. */
  bootstrap?: EvaluationBootstrap
  /** ROC curve points, present when `includeRocCurve` was set. */
  rocCurve?: RocPoint[]
}

/**
 * Evaluate a binary classifier the way the paper does (Tartaglione et al.
 * 2020, Sec. IV: accuracy, AUC, sensitivity, specificity, F-score, balanced
 * accuracy and DOR at threshold 0.5), plus precision, NPV and Youden's J,
 * with optional patient-level bootstrap percentile intervals.
 *
 * Undefined metrics are `NaN` with `undefinedReason` (e.g. sensitivity on a
 * set with no positives); a perfect test gives DOR = `Infinity` unless
 * `haldane` is set. Neither throws.
 *
 * @throws RangeError on invalid input (see `validateBinaryInput`) or options.
 */
export function evaluateBinary(options: EvaluateOptions): EvaluationResult {
  const { labels, scores, patients } = options
  const threshold = options.threshold ?? 0.5
  const haldane = options.haldane === true
  const fBeta = options.fBeta ?? 1
  validateBinaryInput(labels, scores, patients)
  validateThreshold(threshold)

  const confusion = confusionMatrix(labels, scores, threshold)
  const point = binaryMetrics(confusion, { haldane, fBeta })
  const area = rocAuc(labels, scores)

  const metrics = {} as Record<MetricName, MetricEstimate>
  for (const name of BINARY_METRIC_NAMES) {
    const estimate: MetricEstimate = { value: point[name] }
    const reason = point.undefinedReasons[name]
    if (reason !== undefined) estimate.undefinedReason = reason
    metrics[name] = estimate
  }
  metrics.auc = area.undefinedReason === undefined
    ? { value: area.auc }
    : { value: area.auc, undefinedReason: area.undefinedReason }

  const result: EvaluationResult = {
    threshold,
    fBeta,
    dorCorrection: point.dorCorrection,
    counts: {
      n: labels.length,
      positives: area.positives,
      negatives: area.negatives,
      patients: patients === undefined ? labels.length : new Set(Array.from(patients)).size,
      patientIdsProvided: patients !== undefined,
    },
    confusion,
    metrics,
    youden: youdenThreshold(labels, scores),
  }

  if (options.bootstrap !== undefined) {
    const settings = { ...DEFAULT_BOOTSTRAP, ...stripUndefined(options.bootstrap) }
    const { intervals, ...bootstrap } = bootstrapConfidenceIntervals(
      { labels, scores, patients },
      { ...settings, threshold, haldane, fBeta },
    )
    for (const name of Object.keys(intervals) as MetricName[]) metrics[name].ci = intervals[name]
    result.bootstrap = bootstrap
  }
  if (options.includeRocCurve === true) result.rocCurve = rocCurve(labels, scores)
  return result
}

/** Drop keys explicitly set to `undefined` so they do not override defaults when spread. */
function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>
}
