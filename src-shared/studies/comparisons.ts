/**
 * Which cells of a study are compared, and how.
 *
 * The family. Within each test set, every pair of cells that differ in exactly one factor (architecture,
 * preprocessing, pre-training or training composition) is compared on each metric of `comparisonMetrics` (default
 * AUC and balanced accuracy). All of them, across every test set, form one family whose p-values are Holm-corrected
 * together: a study page shows them at once, and "pre-training helps on some test set" is the kind of claim a reader
 * draws from it. Within a factor the first level of the spec is the reference (B), the other level is A, and
 * differences are A − B.
 *
 * The unit. A cell is a recipe, trained once per seed; the question is whether recipe A beats recipe B on these
 * test images, with seed-to-seed variability in the picture. Both cells are scored on the same images, so the
 * comparison is paired by image (and by patient):
 * - with several seeds in either cell, the statistic is the difference of the two means over seeds, and its
 *   interval and p-value come from a paired patient bootstrap: each replicate resamples patients once, scores all
 *   of A's and B's runs on that resample and takes mean(A) − mean(B). This is the seed aggregation's own quantity
 *   (seedAggregation.ts) with the same resamples, and it never pools predictions across seeds. Seeds are not paired
 *   with each other: seed 1 of a ResNet-18 and seed 1 of a ResNet-50 share nothing but a number;
 * - with one run in each cell, the two models are compared directly by the classical paired tests: DeLong's test
 *   for AUC, McNemar's test (with Newcombe's interval) for accuracy, sensitivity and specificity at the threshold,
 *   and the paired patient bootstrap for the other metrics. DeLong treats images as independent; when a patient has
 *   several images the comparison carries a note and the bootstrap is the robust figure.
 * A cell still missing seeds gives a provisional comparison (flagged) on the runs it has. On a test set of one class
 * (an all-COVID− collection) metrics that need both classes are undefined and left out of the family.
 */
import { bootstrapPValue, compareAtThresholds, compareCorrelatedAucs, evaluateBinary, pairedBootstrapDifference, percentileInterval, resampleModelsByPatient, type MetricName } from '../metrics'
import { adjustComparisons, comparisonVerdict, fromDeLong, fromMcNemar, fromPairedBootstrap, type Comparison } from '../evaluation/verdicts'
import { toJsonSafe } from '../metrics'
import type { StudyComparison, StudyFactor } from './analysisTypes'
import { ARCHITECTURE_LABELS, PREPROCESSING_LABELS } from './expand'
import type { StudyCell, StudyRecord } from './record'
import { sameImageOrder, type ScoredSet } from './scoredSets'

/** Which single factor two cells differ in, or null when they differ in none or several. */
export function differingFactor(a: StudyCell, b: StudyCell): StudyFactor | null {
  const differences: StudyFactor[] = []
  if (a.architecture !== b.architecture) differences.push('architecture')
  if (a.preprocessing !== b.preprocessing) differences.push('preprocessing')
  if (a.pretrainingIndex !== b.pretrainingIndex) differences.push('pretraining')
  if (a.compositionId !== b.compositionId) differences.push('composition')
  return differences.length === 1 ? differences[0] : null
}

/** How a cell is named in a comparison: its level of the factor that differs. */
function levelName(cell: StudyCell, factor: StudyFactor): string {
  switch (factor) {
    case 'architecture':
      return ARCHITECTURE_LABELS[cell.architecture]
    case 'preprocessing':
      return PREPROCESSING_LABELS[cell.preprocessing]
    case 'pretraining':
      return cell.pretrainingLabel
    case 'composition':
      return `trained on ${cell.compositionName}`
  }
}

/** What two cells share, as a heading. */
function sharedContext(cell: StudyCell, factor: StudyFactor): string {
  const parts: string[] = []
  if (factor !== 'architecture') parts.push(ARCHITECTURE_LABELS[cell.architecture])
  if (factor !== 'preprocessing' && cell.preprocessing !== 'full') parts.push(PREPROCESSING_LABELS[cell.preprocessing])
  if (factor !== 'pretraining') parts.push(cell.pretrainingLabel)
  if (factor !== 'composition') parts.push(`trained on ${cell.compositionName}`)
  return parts.join(', ')
}

/** Seed-mean difference of one metric with a paired patient bootstrap (several seeds in a cell). */
function seedMeanComparison(a: ScoredSet, b: ScoredSet, metric: MetricName, names: { nameA: string; nameB: string }, settings: { replicates: number; seed: number; threshold: number }): Comparison {
  const labels = a.labels
  const models = [...a.runs, ...b.runs].map((run) => ({ scores: run.scores, threshold: settings.threshold }))
  const resampled = resampleModelsByPatient({ labels, patients: a.patients, models }, { replicates: settings.replicates, seed: settings.seed })
  const countA = a.runs.length
  const meanOf = (values: number[]) => {
    const defined = values.filter((value) => !Number.isNaN(value))
    return defined.length ? defined.reduce((sum, value) => sum + value, 0) / defined.length : Number.NaN
  }
  const point = (runs: ScoredSet['runs']) => meanOf(runs.map((run) => evaluateBinary({ labels, scores: run.scores, threshold: settings.threshold }).metrics[metric].value))
  const differences = new Float64Array(settings.replicates)
  for (let replicate = 0; replicate < settings.replicates; replicate++) {
    const values = resampled.values.map((model) => model[metric][replicate])
    differences[replicate] = meanOf(values.slice(0, countA)) - meanOf(values.slice(countA))
  }
  const valueA = point(a.runs)
  const valueB = point(b.runs)
  const ci = percentileInterval(differences, 0.95, `the difference in ${metric}`)
  const pValue = bootstrapPValue(differences)
  const undefinedDifference = Number.isNaN(valueA - valueB) || Number.isNaN(pValue)
  const identical = !undefinedDifference && valueA === valueB && ci.lower === 0 && ci.upper === 0
  const { n, population, note } = countedImages(labels, metric)
  return {
    metric,
    method: 'paired-bootstrap',
    nameA: `${names.nameA} (mean of ${a.runs.length} seed${a.runs.length === 1 ? '' : 's'})`,
    nameB: `${names.nameB} (mean of ${b.runs.length} seed${b.runs.length === 1 ? '' : 's'})`,
    valueA,
    valueB,
    difference: valueA - valueB,
    ci: { lower: ci.lower, upper: ci.upper, confidence: 0.95 },
    pValue,
    n,
    population,
    status: undefinedDifference ? 'one-class' : identical ? 'identical' : 'ok',
    ...(undefinedDifference ? { undefinedReason: ci.undefinedReason ?? `${metric} is undefined on this test set for one of the recipes` } : {}),
    ...(note && !undefinedDifference ? { note } : {}),
  }
}

/** Below this many images of a class the patient bootstrap cannot show the full uncertainty of a metric that counts them. */
export const FEW_IMAGES = 10

/**
 * The images a metric counts (sensitivity: the COVID+ ones, specificity: the COVID− ones, the others: all), and a
 * caveat when a class it needs is so small that resampling it says little: with 5 COVID− images every replicate
 * draws from 5 values, and an interval can even collapse to a point.
 */
function countedImages(labels: Uint8Array, metric: MetricName): { n: number; population: Comparison['population']; note?: string } {
  const positives = labels.reduce((sum, label) => sum + label, 0)
  const negatives = labels.length - positives
  const few = (count: number, name: string) =>
    count < FEW_IMAGES ? `only ${count} ${name} test image${count === 1 ? '' : 's'}: resampling so few cannot show the whole uncertainty, so read this interval and p-value with care` : undefined
  if (metric === 'sensitivity') return { n: positives, population: 'COVID+ images', note: few(positives, 'COVID+') }
  if (metric === 'specificity') return { n: negatives, population: 'COVID− images', note: few(negatives, 'COVID−') }
  const smaller = Math.min(positives, negatives)
  return { n: labels.length, population: 'images', note: smaller > 0 ? few(smaller, positives < negatives ? 'COVID+' : 'COVID−') : undefined }
}

/** Two single runs compared by the classical paired tests (DeLong, McNemar) or the paired bootstrap. */
function singleRunComparison(a: ScoredSet, b: ScoredSet, metric: MetricName, names: { nameA: string; nameB: string }, settings: { replicates: number; seed: number; threshold: number }): Comparison {
  const input = { labels: a.labels, scoresA: a.runs[0].scores, scoresB: b.runs[0].scores, patients: a.patients, thresholdA: settings.threshold, thresholdB: settings.threshold }
  if (metric === 'auc') return fromDeLong(compareCorrelatedAucs(input), names)
  if (metric === 'accuracy' || metric === 'sensitivity' || metric === 'specificity') return fromMcNemar(compareAtThresholds(input, { outcome: metric }), names)
  return fromPairedBootstrap(pairedBootstrapDifference(input, { replicates: settings.replicates, seed: settings.seed }), metric, { ...names, n: a.labels.length })
}

/**
 * Every comparison of the study's family (see the module note), Holm-corrected together, each with its verdict.
 * @param scored the aligned runs per cell and test set, from the study table.
 */
export function studyComparisons(record: StudyRecord, scored: Map<string, Map<string, ScoredSet>>): StudyComparison[] {
  const { comparisonMetrics, replicates, bootstrapSeed, threshold } = record.spec.evaluation
  const settings = { replicates, seed: bootstrapSeed, threshold }
  const seedsOf = (cellKey: string) => record.slots.filter((slot) => slot.cellKey === cellKey).length
  const raw: { comparison: Comparison; context: Omit<StudyComparison, keyof Comparison | 'verdict' | 'adjustedPValue' | 'correction'> }[] = []
  for (const testSet of record.testSets) {
    record.cells.forEach((cellB, indexB) => {
      for (const cellA of record.cells.slice(indexB + 1)) {
        const factor = differingFactor(cellA, cellB)
        if (!factor) continue
        const a = scored.get(cellA.key)?.get(testSet.compositionId)
        const b = scored.get(cellB.key)?.get(testSet.compositionId)
        if (!a || !b || !sameImageOrder(a, b)) continue
        const names = { nameA: levelName(cellA, factor), nameB: levelName(cellB, factor) }
        const oneClass = a.labels.every((label) => label === a.labels[0])
        const single = a.runs.length === 1 && b.runs.length === 1 && seedsOf(cellA.key) === 1 && seedsOf(cellB.key) === 1
        for (const metric of comparisonMetrics) {
          const comparison = single ? singleRunComparison(a, b, metric, names, settings) : seedMeanComparison(a, b, metric, names, settings)
          // A test set of one class has no AUC or balanced accuracy at all: nothing to say, and no member of the family.
          if (oneClass && comparison.status === 'one-class') continue
          raw.push({
            comparison,
            context: {
              compositionId: testSet.compositionId,
              testSetName: testSet.name,
              factor,
              cellA: cellA.key,
              cellB: cellB.key,
              context: sharedContext(cellA, factor),
              seedsA: a.runs.length,
              seedsB: b.runs.length,
              provisional: a.runs.length < seedsOf(cellA.key) || b.runs.length < seedsOf(cellB.key),
            },
          })
        }
      }
    })
  }
  const adjusted = adjustComparisons(raw.map((entry) => entry.comparison), 'holm')
  return adjusted.map((comparison, index) => {
    const verdict = comparisonVerdict(comparison)
    const safe = toJsonSafe(comparison)
    return { ...raw[index].context, ...safe, ci: safe.ci, verdict } as StudyComparison
  })
}
