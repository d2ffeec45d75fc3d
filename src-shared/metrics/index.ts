/**
 * Diagnostic-accuracy metrics for binary classifiers (COVID+ vs COVID−),
 * as pure functions usable from the Electron main process, the renderer
 * and the `cxr` CLI alike: no Node, DOM or Electron imports.
 *
 * Entry point for most callers: {@link evaluateBinary} followed by
 * {@link toJsonSafe}.
 */
export { confusionMatrix } from './confusion'
export { binaryMetrics, diagnosticOddsRatio, UNDEFINED_REASONS } from './binaryMetrics'
export { rocAuc, rocCurve, sortTieGroups, weightedAuc, AUC_UNDEFINED_REASONS } from './auc'
export type { SortedTieGroups } from './auc'
export { youdenThreshold, YOUDEN_TIE_BREAK } from './threshold'
export type { YoudenThreshold } from './threshold'
export { bootstrapConfidenceIntervals, percentile, percentileInterval, DEFAULT_BOOTSTRAP } from './bootstrap'
export type { BootstrapOptions, BootstrapResult } from './bootstrap'
export { checkBootstrapSettings, clusterIndex, resampleModelsByPatient } from './patientResampling'
export type { PatientResamplingInput, PatientResamplingSettings, ResampledMetrics, ResampledModel } from './patientResampling'
export { aucWithStandardError, compareCorrelatedAucs, COMPARISON_REASONS, delongPlacements, validatePairedScores } from './delong'
export type { AucWithStandardError, ComparisonStatus, CorrelatedAucComparison, DeLongPlacements, Interval, PairedScoresInput } from './delong'
export { compareIndependentAucs, hanleyMcNeilStandardError } from './unpairedAuc'
export type { IndependentAuc, IndependentAucComparison, IndependentAucMethod } from './unpairedAuc'
export { compareAtThresholds, mcnemarTest, MCNEMAR_AUTO_RULE, MCNEMAR_EXACT_BELOW, newcombePairedInterval, wilsonInterval } from './mcnemar'
export type { McNemarMethod, McNemarTest, PairedOutcome, PairedOutcomeTable, ThresholdComparison, ThresholdComparisonInput } from './mcnemar'
export { adjustPValues, benjaminiHochbergAdjust, holmAdjust } from './multipleComparisons'
export type { AdjustedPValues, MultipleComparisonMethod } from './multipleComparisons'
export { bootstrapPValue, pairedBootstrapDifference } from './pairedBootstrap'
export type { MetricDifference, PairedBootstrapInput, PairedBootstrapOptions, PairedBootstrapResult } from './pairedBootstrap'
export {
  binomialCdf,
  binomialProbability,
  binomialUpperTail,
  chiSquareOneDegreeUpperTail,
  erfc,
  logFactorial,
  normalCdf,
  normalDensity,
  normalQuantile,
  normalUpperTail,
  twoSidedCriticalValue,
  twoSidedNormalPValue,
} from './distributions'
export { evaluateBinary } from './evaluate'
export type { EvaluateOptions, EvaluationResult, EvaluationCounts, EvaluationBootstrap } from './evaluate'
export { toJsonSafe, fromJsonSafeNumber } from './jsonSafe'
export type { JsonSafe } from './jsonSafe'
export { createRandom, fnv1a32, mulberry32, randomInteger, xoshiro128StarStar } from './random'
export type { RandomSource } from './random'
export { validateBinaryInput, validateThreshold, withContext } from './validate'
export { BINARY_METRIC_NAMES, METRIC_NAMES } from './types'
export type {
  AucResult,
  BinaryInput,
  BinaryMetricName,
  BinaryMetricOptions,
  BinaryMetrics,
  BootstrapSettings,
  ConfidenceInterval,
  ConfusionMatrix,
  DiagnosticOddsRatioCorrection,
  MetricEstimate,
  MetricName,
  RocPoint,
} from './types'
