import { patientKey } from '../evaluation/csv'
import type { EvaluationRecord } from '../evaluation/types'
import { adjustComparisons, comparisonVerdict, fromDeLong, fromMcNemar, fromPairedBootstrap, type Comparison, type Verdict } from '../evaluation/verdicts'
import { compareAtThresholds, compareCorrelatedAucs, pairedBootstrapDifference } from '../metrics'

/** One comparison of two runs with its verdict. */
export interface RunComparison extends Comparison {
  verdict: Verdict
}

/**
 * Two trained models compared on the same test images (`cxr compare`): DeLong's test of their AUCs, McNemar's test
 * of their errors at their thresholds (accuracy, and sensitivity and specificity on each class's images), and a
 * paired patient bootstrap of balanced accuracy; the five p-values Holm-corrected together, each with its verdict.
 * @throws Error when the two evaluations did not score the same images in the same order (the composition was
 *   rebuilt between them), naming both.
 */
export function compareRuns(a: EvaluationRecord, b: EvaluationRecord, names: { nameA: string; nameB: string }, options: { replicates?: number; seed?: number } = {}): RunComparison[] {
  const aligned = a.predictions.length === b.predictions.length && a.predictions.every((row, index) => row.imageId === b.predictions[index].imageId && row.datasetId === b.predictions[index].datasetId)
  if (!aligned) throw new Error(`evaluations ${a.id} and ${b.id} scored different images of composition ${a.compositionId}: evaluate both runs again on the composition as it is now`)
  const input = {
    labels: a.predictions.map((row) => row.label),
    scoresA: a.predictions.map((row) => row.score),
    scoresB: b.predictions.map((row) => row.score),
    patients: a.predictions.map(patientKey),
    thresholdA: a.options.threshold,
    thresholdB: b.options.threshold,
  }
  const comparisons: Comparison[] = [
    fromDeLong(compareCorrelatedAucs(input), names),
    ...(['accuracy', 'sensitivity', 'specificity'] as const).map((outcome) => fromMcNemar(compareAtThresholds(input, { outcome }), names)),
    fromPairedBootstrap(pairedBootstrapDifference(input, { replicates: options.replicates ?? 2000, seed: options.seed ?? 20200428 }), 'balancedAccuracy', { ...names, n: input.labels.length }),
  ]
  return adjustComparisons(comparisons, 'holm').map((comparison) => ({ ...comparison, verdict: comparisonVerdict(comparison) }))
}
