/**
 * The study analysis wired to the statistics: a table cell is aggregateSeeds' result, a one-seed comparison is
 * DeLong's test with pROC's p-value, a several-seed comparison is the paired bootstrap of seed means, the family is
 * Holm-corrected, and the alarms fire on a model that ranks an external set backwards.
 */
import { describe, expect, it } from 'vitest'
import { aggregateSeeds } from '@shared/evaluation'
import { bootstrapPValue, evaluateBinary, holmAdjust, percentileInterval, resampleModelsByPatient } from '@shared/metrics'
import { analyseStudy } from '@shared/studies'
import { PAIRED_CASES } from '../metrics/comparisonCases'
import { REPLICATES, study } from './studyFixture'

const { covid15, corda135 } = PAIRED_CASES

describe('analyseStudy', () => {
  it('one seed per cell: the table holds each run’s metrics, the comparisons are DeLong’s (pROC’s p) and McNemar’s, Holm-corrected', () => {
    // Cell 0 (no pre-training) scores as covid15's model B, cell 1 as model A; on the external set, corda135's B and A.
    const { record, lookup } = study([1], (cell, _seed, set) => (set === 'covid' ? (cell === 1 ? covid15.scoresA : covid15.scoresB) : cell === 1 ? corda135.scoresA : corda135.scoresB))
    const analysis = analyseStudy(record, lookup)
    expect(analysis.rows.map((row) => row.label)).toEqual(['ResNet-18, no pre-training, trained on COVID-ChestXRay', 'ResNet-18, pre-trained on ChestXRay, trained on COVID-ChestXRay'])
    expect(analysis.columns.map((column) => [column.name, column.testOnly])).toEqual([['COVID-ChestXRay', false], ['External', true]])
    const cell = analysis.cells[1][0]
    expect(cell).toMatchObject({ internal: true, seeds: [1], n: 15, positives: 10, negatives: 5, seedsExpected: 1 })
    expect(cell.metrics!.auc.mean).toBeCloseTo(covid15.pROC.aucA, 12)
    expect(cell.metrics!.auc.standardDeviation).toBeNull()
    // Table IV: ResNet-18 pre-trained on ChestXRay, trained and tested on COVID-ChestXRay; the paper has no cell without pre-training.
    expect(cell.paper).toMatchObject({ table: 'IV', metrics: { auc: 1, diagnosticOddsRatio: 'Infinity' } })
    expect(analysis.cells[0][0].paper).toBeNull()
    expect(analysis.cells[1][1].internal).toBe(false)

    // Two test sets × two metrics; A = pre-trained (the second level), B = the reference (none).
    expect(analysis.comparisons.map((c) => [c.testSetName, c.metric, c.method])).toEqual([
      ['COVID-ChestXRay', 'auc', 'delong'],
      ['COVID-ChestXRay', 'accuracy', 'mcnemar'],
      ['External', 'auc', 'delong'],
      ['External', 'accuracy', 'mcnemar'],
    ])
    const [covidAuc, , externalAuc] = analysis.comparisons
    expect(covidAuc).toMatchObject({ factor: 'pretraining', nameA: 'pre-trained on ChestXRay', nameB: 'no pre-training', context: 'ResNet-18, trained on COVID-ChestXRay', provisional: false })
    expect(covidAuc.pValue as number).toBeCloseTo(covid15.pROC.p, 10)
    expect(externalAuc.pValue as number).toBeCloseTo(corda135.pROC.p, 10)
    expect(covidAuc.difference as number).toBeCloseTo(covid15.pROC.aucA - covid15.pROC.aucB, 12)
    const expected = holmAdjust(analysis.comparisons.map((c) => c.pValue as number)).adjusted
    analysis.comparisons.forEach((comparison, index) => {
      expect(comparison.correction).toBe('holm')
      expect(comparison.adjustedPValue as number).toBeCloseTo(expected[index], 12)
    })
    expect(externalAuc.verdict.significant).toBe(true)
    expect(externalAuc.verdict.sentence).toMatch(/^pre-trained on ChestXRay ranks the classes better than no pre-training \(AUC 0\.94 vs 0\.73, difference 0\.22 \[0\.15, 0\.29\], p < 0\.001 after Holm correction\)\.$/)
  })

  it('three seeds per cell: mean ± SD over seeds as aggregateSeeds gives it, and the seed-mean bootstrap comparison', () => {
    // Each seed perturbs the base scores differently, so seeds disagree.
    const shift = (scores: number[], seed: number) => scores.map((score, index) => Math.min(1, Math.max(0, score + 0.08 * Math.sin(seed * 7 + index))))
    const scoresOf = (cell: number, seed: number, set: string) => shift(set === 'covid' ? (cell === 1 ? covid15.scoresA : covid15.scoresB) : cell === 1 ? corda135.scoresA : corda135.scoresB, seed)
    const { record, lookup } = study([1, 2, 3], scoresOf)
    const analysis = analyseStudy(record, lookup)
    const cell = analysis.cells[0][1]
    expect(cell.seeds).toEqual([1, 2, 3])
    const patients = corda135.labels.map((_, index) => `external/p${index}`)
    const reference = aggregateSeeds({ labels: corda135.labels, patients, runs: [1, 2, 3].map((seed) => ({ seed, scores: scoresOf(0, seed, 'external') })) }, { replicates: REPLICATES, seed: 20200428 })
    const aucs = [1, 2, 3].map((seed) => evaluateBinary({ labels: corda135.labels, scores: scoresOf(0, seed, 'external') }).metrics.auc.value)
    const mean = aucs.reduce((sum, value) => sum + value, 0) / 3
    const sd = Math.sqrt(aucs.reduce((sum, value) => sum + (value - mean) ** 2, 0) / 2)
    expect(cell.metrics!.auc).toMatchObject({ values: aucs, definedSeeds: 3 })
    expect(cell.metrics!.auc.mean as number).toBeCloseTo(mean, 12)
    expect(cell.metrics!.auc.standardDeviation as number).toBeCloseTo(sd, 12)
    expect(cell.metrics!.auc.lower).toBe(reference.metrics.auc.ci.lower)
    expect(cell.metrics!.auc.upper).toBe(reference.metrics.auc.ci.upper)

    const comparison = analysis.comparisons.find((c) => c.testSetName === 'External' && c.metric === 'auc')!
    expect(comparison).toMatchObject({ method: 'paired-bootstrap', seedsA: 3, seedsB: 3, nameA: 'pre-trained on ChestXRay (mean of 3 seeds)', nameB: 'no pre-training (mean of 3 seeds)' })
    const meanA = [1, 2, 3].map((seed) => evaluateBinary({ labels: corda135.labels, scores: scoresOf(1, seed, 'external') }).metrics.auc.value).reduce((sum, value) => sum + value, 0) / 3
    expect(comparison.difference as number).toBeCloseTo(meanA - mean, 12)
    // The interval is the percentile interval of the replicate differences of seed means on shared resamples.
    const resampled = resampleModelsByPatient({ labels: corda135.labels, patients, models: [1, 2, 3, 1, 2, 3].map((seed, index) => ({ scores: scoresOf(index < 3 ? 1 : 0, seed, 'external') })) }, { replicates: REPLICATES, seed: 20200428 })
    const differences = Float64Array.from({ length: REPLICATES }, (_, r) => resampled.values.slice(0, 3).reduce((s, m) => s + m.auc[r], 0) / 3 - resampled.values.slice(3).reduce((s, m) => s + m.auc[r], 0) / 3)
    const interval = percentileInterval(differences, 0.95, 'difference')
    expect(comparison.ci).toEqual({ lower: interval.lower, upper: interval.upper, confidence: 0.95 })
    expect(comparison.pValue).toBe(bootstrapPValue(differences))
    expect(comparison.verdict.significant).toBe(true)
    expect(comparison.verdict.better).toBe('A')
  })

  it('raises the alarms: backward ranking, one-class calls and the external drop, with their evidence', () => {
    // The pre-trained cell ranks the external set backwards (inverted scores) and calls every image COVID−.
    const inverted = corda135.scoresA.map((score) => (1 - score) * 0.45)
    const { record, lookup } = study([1], (cell, _seed, set) => (set === 'covid' ? covid15.scoresA : cell === 1 ? inverted : corda135.scoresA))
    const analysis = analyseStudy(record, lookup)
    const alarms = analysis.alarms.filter((alarm) => alarm.cellKey === record.cells[1].key)
    expect(alarms.map((alarm) => alarm.kind).sort()).toEqual(['backward-ranking', 'degenerate-classifier', 'external-drop'])
    const backward = alarms.find((alarm) => alarm.kind === 'backward-ranking')!
    expect(backward).toMatchObject({ scope: 'run', seed: 1, runId: 'run-1', compositionId: 'external' })
    expect(backward.message).toMatch(/^On External the model ranks the classes backwards \(AUC 0\.06, 95% CI/)
    expect(alarms.find((alarm) => alarm.kind === 'degenerate-classifier')!.evidence).toMatchObject({ everythingCalled: 'negative', sensitivity: 0 })
    expect(alarms.find((alarm) => alarm.kind === 'external-drop')!.evidence).toMatchObject({ internalTestSet: 'COVID-ChestXRay', externalTestSet: 'External', method: 'unpaired-delong' })
    // The reference cell holds up on the external set: no alarm there.
    expect(analysis.alarms.filter((alarm) => alarm.cellKey === record.cells[0].key)).toEqual([])
  })
})
