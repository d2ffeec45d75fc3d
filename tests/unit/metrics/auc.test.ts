import { describe, it, expect } from 'vitest'
import { createRandom, rocAuc, rocCurve, sortTieGroups, weightedAuc } from '@shared/metrics'
import { bruteForceAuc } from './syntheticData'

describe('rocAuc', () => {
  it('matches a hand count without ties', () => {
    // Positives 0.35, 0.8; negatives 0.1, 0.4. Pairs (pos > neg):
    // 0.35>0.1 ✓, 0.35>0.4 ✗, 0.8>0.1 ✓, 0.8>0.4 ✓ → 3/4
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toEqual({ auc: 0.75, positives: 2, negatives: 2 })
  })

  it('uses average ranks for ties', () => {
    // scores 0.2 | 0.5 0.5 0.5 | 0.9 → ranks 1 | 3 3 3 | 5
    // positives: 0.5, 0.5, 0.9 → R₊ = 3 + 3 + 5 = 11; U = 11 − 3·4/2 = 5; AUC = 5/(3·2) = 5/6
    expect(rocAuc([0, 0, 1, 1, 1], [0.2, 0.5, 0.5, 0.5, 0.9]).auc).toBeCloseTo(5 / 6, 15)
    // tied pairs count ½: pos .3 vs neg .3 → ½, vs neg .7 → 0; pos .7 vs neg .3 → 1, vs neg .7 → ½ → 2/4
    expect(rocAuc([0, 1, 0, 1], [0.3, 0.3, 0.7, 0.7]).auc).toBe(0.5)
  })

  it('is 0.5 when all scores are equal, 1 when perfect, 0 when inverted', () => {
    expect(rocAuc([0, 1, 1, 0, 1], [0.4, 0.4, 0.4, 0.4, 0.4]).auc).toBe(0.5)
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]).auc).toBe(1)
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]).auc).toBe(0)
  })

  it('is NaN with a reason when only one class is present', () => {
    const onlyNegatives = rocAuc([0, 0, 0], [0.1, 0.5, 0.9])
    expect(onlyNegatives.auc).toBeNaN()
    expect(onlyNegatives.undefinedReason).toMatch(/no positive cases/)
    expect(rocAuc([1, 1], [0.1, 0.9]).undefinedReason).toMatch(/no negative cases/)
    expect(rocAuc([], []).undefinedReason).toBe('no cases')
  })

  it('agrees with a brute-force O(n²) pair count on random data with ties', () => {
    const random = createRandom(7)
    for (let trial = 0; trial < 20; trial++) {
      const n = 20 + Math.floor(random() * 200)
      const labels = Array.from({ length: n }, () => (random() < 0.4 ? 1 : 0))
      // Rounded to 2 decimals so ties are common; the label shifts the score up a little.
      const scores = labels.map((label) => Math.round((random() + 0.3 * label) * 100) / 100)
      if (!labels.includes(0) || !labels.includes(1)) continue
      expect(rocAuc(labels, scores).auc).toBeCloseTo(bruteForceAuc(labels, scores), 12)
    }
  })

  it('validates input like confusionMatrix', () => {
    expect(() => rocAuc([0, 3], [0.1, 0.2])).toThrow(/labels\[1\]/)
    expect(() => rocAuc([0, 1], [0.1, Number.NaN])).toThrow(/scores\[1\]/)
  })
})

describe('weightedAuc (bootstrap kernel)', () => {
  it('equals rocAuc on the data with each case repeated weight times', () => {
    const labels = [0, 1, 0, 1, 1, 0]
    const scores = [0.2, 0.2, 0.5, 0.7, 0.4, 0.9]
    const weights = [2, 0, 1, 3, 1, 2]
    const expandedLabels: number[] = []
    const expandedScores: number[] = []
    weights.forEach((weight, index) => {
      for (let k = 0; k < weight; k++) {
        expandedLabels.push(labels[index])
        expandedScores.push(scores[index])
      }
    })
    const groups = sortTieGroups(scores)
    expect(weightedAuc(groups, labels, weights)).toBeCloseTo(rocAuc(expandedLabels, expandedScores).auc, 15)
    expect(weightedAuc(groups, labels, [1, 1, 1, 1, 1, 1])).toBeCloseTo(rocAuc(labels, scores).auc, 15)
    expect(weightedAuc(groups, labels, [1, 0, 1, 0, 0, 1])).toBeNaN() // no positive weight
  })
})

describe('rocCurve', () => {
  it('gives sklearn’s points for its documentation example', () => {
    // sklearn roc_curve([0,0,1,1], [0.1,0.4,0.35,0.8], drop_intermediate=False):
    // fpr [0, 0, .5, .5, 1], tpr [0, .5, .5, 1, 1], thresholds [∞, .8, .4, .35, .1]
    expect(rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toEqual([
      { fpr: 0, tpr: 0, threshold: Number.POSITIVE_INFINITY },
      { fpr: 0, tpr: 0.5, threshold: 0.8 },
      { fpr: 0.5, tpr: 0.5, threshold: 0.4 },
      { fpr: 0.5, tpr: 1, threshold: 0.35 },
      { fpr: 1, tpr: 1, threshold: 0.1 },
    ])
  })

  it('collapses tied scores into one diagonal step', () => {
    // All four scores tie: one step from (0,0) straight to (1,1) — area 0.5.
    expect(rocCurve([0, 1, 1, 0], [0.6, 0.6, 0.6, 0.6])).toEqual([
      { fpr: 0, tpr: 0, threshold: Number.POSITIVE_INFINITY },
      { fpr: 1, tpr: 1, threshold: 0.6 },
    ])
  })

  it('has a trapezoidal area equal to rocAuc', () => {
    const random = createRandom(11)
    const labels = Array.from({ length: 300 }, () => (random() < 0.3 ? 1 : 0))
    const scores = labels.map((label) => Math.round((random() + 0.4 * label) * 20) / 20)
    const points = rocCurve(labels, scores)
    let area = 0
    for (let k = 1; k < points.length; k++) {
      area += ((points[k].fpr - points[k - 1].fpr) * (points[k].tpr + points[k - 1].tpr)) / 2
    }
    expect(area).toBeCloseTo(rocAuc(labels, scores).auc, 12)
  })

  it('marks the undefined rate NaN when a class is missing', () => {
    const points = rocCurve([1, 1], [0.2, 0.8])
    expect(points[1].tpr).toBe(0.5)
    expect(points[1].fpr).toBeNaN()
  })
})
