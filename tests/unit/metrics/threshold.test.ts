import { describe, it, expect } from 'vitest'
import { youdenThreshold, YOUDEN_TIE_BREAK } from '@shared/metrics'

describe('youdenThreshold', () => {
  it('finds the unique maximiser', () => {
    // Perfectly separable: threshold 0.3 gives TPR 1, FPR 0 → J = 1.
    expect(youdenThreshold([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toEqual({
      threshold: 0.3,
      youdenIndex: 1,
      sensitivity: 1,
      specificity: 1,
      tiedThresholds: 1,
    })
  })

  it('breaks ties towards the highest threshold and says why', () => {
    // ROC of sklearn's example: t=.8 (TPR .5, FPR 0) J=.5; t=.4 (.5,.5) J=0;
    // t=.35 (1,.5) J=.5; t=.1 (1,1) J=0. Maximal J = .5 at 0.8 and 0.35 → 0.8.
    const result = youdenThreshold([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    expect(result.threshold).toBe(0.8)
    expect(result.youdenIndex).toBe(0.5)
    expect(result.sensitivity).toBe(0.5)
    expect(result.specificity).toBe(1)
    expect(result.tiedThresholds).toBe(2)
    expect(result.tieBreak).toBe(YOUDEN_TIE_BREAK)
  })

  it('picks a threshold equal to an observed score, so that score is called positive', () => {
    // labels 0 0 1 0 1 1 / scores .1 .2 .35 .4 .6 .8
    // t=.6: TPR 2/3, FPR 0 → J = .667; t=.35: TPR 1, FPR 1/3 → J = .667; tie → .6
    // t=.4: TPR 2/3, FPR 1/3 → .333
    const result = youdenThreshold([0, 0, 1, 0, 1, 1], [0.1, 0.2, 0.35, 0.4, 0.6, 0.8])
    expect(result.threshold).toBe(0.6)
    expect(result.youdenIndex).toBeCloseTo(2 / 3, 15)
    expect(result.tiedThresholds).toBe(2)
  })

  it('all scores equal: the only candidate has J = 0', () => {
    const result = youdenThreshold([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])
    expect(result.threshold).toBe(0.5)
    expect(result.youdenIndex).toBe(0)
  })

  it('is NaN with a reason when a class is missing', () => {
    const result = youdenThreshold([1, 1, 1], [0.2, 0.5, 0.9])
    expect(result.threshold).toBeNaN()
    expect(result.undefinedReason).toMatch(/no negative cases/)
    expect(youdenThreshold([], []).undefinedReason).toBe('no cases')
  })
})
