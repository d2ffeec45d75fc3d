import { describe, expect, it } from 'vitest'
import { mulberry32 } from '@shared/metrics/random'
import { datasetProbe, isFarAboveChance, knnSeparability, majorityShare, trainLogisticRegression } from '@shared/evaluation/separability'

/** Deterministic pseudo-random numbers so the synthetic clusters are the same every run. */
const random = mulberry32

/** `perClass` points per dataset in 6-D: centred apart by `gap` (0 = the same distribution), unit noise. */
function clusters(gap: number, perClass = 30, names = ['corda', 'chestxray']) {
  const next = random(42)
  const values: number[][] = []
  const classes: string[] = []
  const groups: string[] = []
  names.forEach((name, c) => {
    for (let i = 0; i < perClass; i++) {
      values.push(Array.from({ length: 6 }, (_, d) => (d === 0 ? c * gap : 0) + (next() - 0.5) * 2))
      classes.push(name)
      // Two images per patient, as in real sets.
      groups.push(`${name}/${Math.floor(i / 2)}`)
    }
  })
  return { values, classes, groups }
}

describe('chance and warning', () => {
  it('chance is the majority share; the warning needs half the way from chance to perfect', () => {
    expect(majorityShare(['a', 'a', 'a', 'b'])).toBe(0.75)
    expect(isFarAboveChance(0.95, 0.5)).toBe(true)
    expect(isFarAboveChance(0.6, 0.5)).toBe(false)
    expect(isFarAboveChance(1, 1)).toBe(false)
  })
})

describe('k-NN leave-one-out separability', () => {
  it('is near 1 on separated clusters and warns', () => {
    const result = knnSeparability(clusters(10))
    expect(result.accuracy).toBeGreaterThan(0.95)
    expect(result.chance).toBe(0.5)
    expect(result.warning).toBe(true)
    expect(result.classes).toEqual(['chestxray', 'corda'])
  })
  it('is near chance on one distribution and does not warn', () => {
    const result = knnSeparability(clusters(0, 60))
    expect(result.accuracy!).toBeLessThan(0.7)
    expect(result.warning).toBe(false)
  })
  it('never uses an image of the same patient as a neighbour', () => {
    // One patient per dataset, each with two identical images: counting the twin as a neighbour would give 100 %.
    const data = { values: [[0], [0], [10], [10]], classes: ['a', 'a', 'b', 'b'], groups: ['p1', 'p1', 'p2', 'p2'] }
    expect(knnSeparability(data, 1).accuracy).toBe(0)
  })
  it('rejects ragged input', () => {
    expect(() => knnSeparability({ values: [[1, 2], [1]], classes: ['a', 'b'] })).toThrow(/row 1/)
  })
})

describe('logistic regression probe', () => {
  it('fits a linearly separable problem', () => {
    const { values, classes } = clusters(6)
    const model = trainLogisticRegression(values, classes)
    const predicted = model.predict(values)
    expect(predicted.filter((name, index) => name === classes[index]).length / classes.length).toBeGreaterThan(0.95)
  })
  it('cross-validated by patient: high and warned on separable data, near chance on inseparable data', () => {
    const separable = datasetProbe(clusters(6))
    expect(separable.accuracy).toBeGreaterThan(0.9)
    expect(separable.warning).toBe(true)
    expect(separable.folds).toBe(5)
    const inseparable = datasetProbe(clusters(0, 60))
    expect(inseparable.accuracy!).toBeLessThan(0.7)
    expect(inseparable.warning).toBe(false)
  })
  it('handles three datasets', () => {
    const result = datasetProbe(clusters(8, 20, ['a', 'b', 'c']))
    expect(result.chance).toBeCloseTo(1 / 3)
    expect(result.accuracy).toBeGreaterThan(0.9)
  })
  it('reports null accuracy when there is one dataset only', () => {
    const result = datasetProbe(clusters(0, 10, ['only']))
    expect(result.accuracy).toBeNull()
    expect(result.chance).toBe(1)
    expect(result.warning).toBe(false)
  })
})
