import { describe, expect, it } from 'vitest'
import {
  detectBackwardRanking,
  detectDatasetSignature,
  detectDegenerateClassifier,
  detectExternalDrop,
  type DatasetSeparability,
} from '@shared/evaluation'
import { aucWithStandardError, compareIndependentAucs } from '@shared/metrics'
import { PAIRED_CASES } from '../metrics/comparisonCases'

const { corda135, covid15 } = PAIRED_CASES

describe('detectBackwardRanking', () => {
  it('fires when the whole interval is below 0.5, with the evidence', () => {
    const alarm = detectBackwardRanking({ testSet: 'CORDA&ChestXRay', auc: 0.33, ci: { lower: 0.21, upper: 0.45 }, n: 90 })
    expect(alarm).toEqual({
      kind: 'backward-ranking',
      message:
        'On CORDA&ChestXRay the model ranks the classes backwards (AUC 0.33, 95% CI 0.21–0.45): it likely learned a trait of the image source, not the disease.',
      evidence: { testSet: 'CORDA&ChestXRay', auc: 0.33, ciLower: 0.21, ciUpper: 0.45, confidence: 0.95, n: 90 },
    })
  })

  it('works from a DeLong interval: an inverted model on 135 images fires; AUC 0.30 on 15 images does not', () => {
    const inverted = aucWithStandardError(corda135.labels, corda135.scoresA.map((score) => 1 - score))
    expect(detectBackwardRanking({ testSet: 'CORDA', auc: inverted.auc, ci: inverted.ci })?.evidence.ciUpper).toBeLessThan(0.5)
    // covid15 model B: AUC 0.30 but pROC's DeLong interval reaches 0.627: too few images to call it backwards.
    const small = aucWithStandardError(covid15.labels, covid15.scoresB)
    expect(small.ci.upper).toBeCloseTo(covid15.pROC.ciB[1], 12)
    expect(detectBackwardRanking({ testSet: 'COVID-ChestXRay', auc: small.auc, ci: small.ci })).toBeNull()
  })

  it('stays silent on an undefined interval', () => {
    expect(detectBackwardRanking({ testSet: 'x', auc: Number.NaN, ci: { lower: Number.NaN, upper: Number.NaN } })).toBeNull()
  })
})

describe('detectDegenerateClassifier', () => {
  it('everything called COVID−: collapsed to one class', () => {
    const alarm = detectDegenerateClassifier({ testSet: 'CORDA', confusion: { tp: 0, fp: 0, tn: 45, fn: 90 } })
    expect(alarm?.message).toBe(
      'At threshold 0.50 the model calls every image of CORDA COVID− (sensitivity 0.00, specificity 1.00): it has collapsed to one class, and its accuracy only reflects the class mix.',
    )
    expect(alarm?.evidence).toMatchObject({ everythingCalled: 'negative', sensitivity: 0, specificity: 1, threshold: 0.5 })
  })

  it('everything called COVID+', () => {
    expect(detectDegenerateClassifier({ testSet: 'CORDA', confusion: { tp: 90, fp: 45, tn: 0, fn: 0 }, threshold: 0.3 })?.evidence.everythingCalled).toBe('positive')
  })

  it('sensitivity 0 with some positive calls, and specificity 0 alone', () => {
    const missed = detectDegenerateClassifier({ testSet: 'RSNA', confusion: { tp: 0, fp: 4, tn: 41, fn: 10 } })
    expect(missed?.message).toBe('At threshold 0.50 the model finds none of the 10 COVID+ images of RSNA (sensitivity 0): its COVID+ calls are all false alarms.')
    expect(missed?.evidence.everythingCalled).toBeNull()
    const noSpecificity = detectDegenerateClassifier({ testSet: 'RSNA', confusion: { tp: 5, fp: 45, tn: 0, fn: 5 } })
    expect(noSpecificity?.message).toBe('At threshold 0.50 the model calls every one of the 45 COVID− images of RSNA COVID+ (specificity 0).')
  })

  it('stays silent on a working classifier and on a set with one class', () => {
    expect(detectDegenerateClassifier({ testSet: 'x', confusion: { tp: 1, fp: 1, tn: 1, fn: 1 } })).toBeNull()
    expect(detectDegenerateClassifier({ testSet: 'x', confusion: { tp: 0, fp: 0, tn: 10, fn: 0 } })).toBeNull()
  })
})

describe('detectExternalDrop', () => {
  const internal = { name: 'CORDA&ChestXRay', labels: corda135.labels, scores: corda135.scoresA }

  it('fires on a significant drop, with the unpaired test’s numbers as evidence', () => {
    const external = { name: 'CORDA', labels: covid15.labels, scores: covid15.scoresB }
    const alarm = detectExternalDrop({ internal, external })
    const expected = compareIndependentAucs(internal, external)
    expect(alarm?.evidence).toEqual({
      internalTestSet: 'CORDA&ChestXRay',
      externalTestSet: 'CORDA',
      internalAuc: expected.first.auc,
      externalAuc: 0.3,
      internalStandardError: expected.first.standardError,
      externalStandardError: expected.second.standardError,
      difference: expected.difference,
      ciLower: expected.ci.lower,
      ciUpper: expected.ci.upper,
      z: expected.z,
      pValue: expected.pValue,
      method: 'unpaired-delong',
    })
    // By hand from pROC's variances: SE = √(0.000389101 + 0.0278611) = 0.168078; 0.644198 ± 1.959964·0.168078.
    expect(alarm?.message).toBe(
      'AUC drops from 0.94 on CORDA&ChestXRay (drawn from the training data) to 0.30 on CORDA (difference 0.64 [0.31, 0.97], p < 0.001; different images, so compared as independent samples): the model does not carry over to other sources.',
    )
  })

  it('stays silent when the external AUC holds (pROC unpaired D = 0.068) or rises', () => {
    expect(detectExternalDrop({ internal, external: { name: 'COVID-ChestXRay', labels: covid15.labels, scores: covid15.scoresA } })).toBeNull()
    expect(detectExternalDrop({ internal: { ...internal, scores: corda135.scoresB }, external: { name: 'x', labels: corda135.labels, scores: corda135.scoresA } })).toBeNull()
  })

  it('uses Hanley & McNeil’s SE on request and stays silent when a set lacks a class', () => {
    const external = { name: 'CORDA', labels: covid15.labels, scores: covid15.scoresB }
    expect(detectExternalDrop({ internal, external, method: 'hanley-mcneil' })?.evidence.method).toBe('unpaired-hanley-mcneil')
    expect(detectExternalDrop({ internal, external: { name: 'y', labels: [1, 1], scores: [0.2, 0.3] } })).toBeNull()
  })
})

describe('detectDatasetSignature', () => {
  const probe = (accuracy: number | null, chance: number, n: number): DatasetSeparability => ({
    method: 'logistic-cv',
    accuracy,
    chance,
    n,
    classes: ['chestxray', 'corda'],
    warning: false,
    folds: 5,
  })

  // scipy 1.10.1 binomtest(k, n, p, alternative='greater').pvalue: (188, 200, 0.5) → 4.056887997287762e-42;
  // (70, 100, 0.6) → 0.02478282311649308; (11, 20, 0.5) → 0.41190147399902344.
  it('fires when the probe beats chance by a one-sided binomial test', () => {
    const alarm = detectDatasetSignature(probe(0.94, 0.5, 200))
    expect(alarm?.evidence).toMatchObject({ correct: 188, n: 200, chance: 0.5, farAboveChance: true, method: 'logistic-cv', classes: ['chestxray', 'corda'] })
    expect(Math.abs(alarm!.evidence.pValue - 4.056887997287762e-42)).toBeLessThan(1e-10 * 4.056887997287762e-42)
    expect(alarm?.message).toBe(
      "A simple classifier on the model's features tells which dataset an image comes from 94% of the time (chance 50%, 200 images, one-sided p < 0.001): the features carry the image source, a shortcut a COVID classifier can take.",
    )
  })

  it('reports significance and the "far above chance" rule separately', () => {
    const alarm = detectDatasetSignature(probe(0.7, 0.6, 100))
    expect(alarm?.evidence.pValue).toBeCloseTo(0.02478282311649308, 12)
    expect(alarm?.evidence.farAboveChance).toBe(false)
  })

  it('stays silent near chance, without a measured accuracy, or with one dataset', () => {
    expect(detectDatasetSignature(probe(0.55, 0.5, 20))).toBeNull() // p = 0.412
    expect(detectDatasetSignature(probe(null, 0.5, 20))).toBeNull()
    expect(detectDatasetSignature(probe(1, 1, 20))).toBeNull()
  })
})
