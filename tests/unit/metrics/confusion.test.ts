import { describe, it, expect } from 'vitest'
import { confusionMatrix } from '@shared/metrics'

describe('confusionMatrix', () => {
  it('counts a hand-worked example at the default threshold 0.5', () => {
    // index: 0     1     2     3     4     5
    // label: 1     1     0     0     1     0
    // score: 0.9   0.2   0.6   0.1   0.5   0.49
    // call : +     −     +     −     +     −    (score >= 0.5)
    // cell : TP    FN    FP    TN    TP    TN   → TP 2, FN 1, FP 1, TN 2
    expect(confusionMatrix([1, 1, 0, 0, 1, 0], [0.9, 0.2, 0.6, 0.1, 0.5, 0.49])).toEqual({ tp: 2, fp: 1, tn: 2, fn: 1 })
  })

  it('calls a score exactly equal to the threshold positive (>=)', () => {
    expect(confusionMatrix([1, 0], [0.3, 0.3], 0.3)).toEqual({ tp: 1, fp: 1, tn: 0, fn: 0 })
    // Nudging the threshold one ulp above flips both to negative.
    const above = 0.3 + Number.EPSILON
    expect(confusionMatrix([1, 0], [0.3, 0.3], above)).toEqual({ tp: 0, fp: 0, tn: 1, fn: 1 })
  })

  it('honours a custom threshold and the extremes ±Infinity', () => {
    const labels = [1, 0, 1, 0]
    const scores = [0.8, 0.7, 0.3, 0.2]
    // threshold 0.75: only 0.8 is positive → TP 1; 0.3 is FN; 0.7 and 0.2 are TN.
    expect(confusionMatrix(labels, scores, 0.75)).toEqual({ tp: 1, fp: 0, tn: 2, fn: 1 })
    expect(confusionMatrix(labels, scores, Number.POSITIVE_INFINITY)).toEqual({ tp: 0, fp: 0, tn: 2, fn: 2 })
    expect(confusionMatrix(labels, scores, Number.NEGATIVE_INFINITY)).toEqual({ tp: 2, fp: 2, tn: 0, fn: 0 })
  })

  it('accepts typed arrays and empty input', () => {
    expect(confusionMatrix(Uint8Array.of(1, 0), Float32Array.of(0.75, 0.25))).toEqual({ tp: 1, fp: 0, tn: 1, fn: 0 })
    expect(confusionMatrix([], [])).toEqual({ tp: 0, fp: 0, tn: 0, fn: 0 })
  })

  it('throws errors naming the field and index', () => {
    expect(() => confusionMatrix([0, 1], [0.1])).toThrow(/labels and scores must have the same length \(labels: 2, scores: 1\)/)
    expect(() => confusionMatrix([0, 2], [0.1, 0.2])).toThrow(/labels\[1\] must be 0 or 1, got 2/)
    expect(() => confusionMatrix([0, 0.5], [0.1, 0.2])).toThrow(/labels\[1\]/)
    expect(() => confusionMatrix([0, 1, 1], [0.1, 0.2, Number.NaN])).toThrow(/scores\[2\] must be a finite number, got NaN/)
    expect(() => confusionMatrix([0], [Number.POSITIVE_INFINITY])).toThrow(/scores\[0\]/)
    expect(() => confusionMatrix([0], [0.1], Number.NaN)).toThrow(/threshold/)
  })
})
