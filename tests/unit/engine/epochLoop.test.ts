import { describe, expect, it } from 'vitest'
import { cosineLearningRate, initialEpochLoopState, runEpochLoop, type BestEpoch, type EpochLoopSettings, type EpochLoopState, type EpochLoopWork } from '../../../src-main/services/engine/training/epochLoop'

/** Work whose validation scores are given per epoch; records what the loop did. */
function scripted(scores: number[], options: { stopBeforeStep?: [number, number]; budgetEpochs?: number } = {}) {
  const events: string[] = []
  const rates: number[] = []
  let state: EpochLoopState | null = null
  const work: EpochLoopWork<BestEpoch> = {
    setLearningRate: (rate) => void rates.push(rate),
    beginEpoch: (current) => {
      state = current
      if (options.budgetEpochs !== undefined && current.epoch >= options.budgetEpochs) return false
      events.push(`begin ${current.epoch}.${current.step}`)
    },
    step: async (current) => void events.push(`step ${current.epoch}.${current.step}`),
    validate: async (current) => ({ epoch: current.epoch, score: scores[current.epoch] }),
    keepBest: async (current) => void events.push(`best ${current.epoch}`),
    endEpoch: async (current) => void events.push(`end → ${current.epoch}`),
    shouldStop: () => {
      const at = options.stopBeforeStep
      return at !== undefined && state !== null && state.epoch === at[0] && state.step === at[1]
    },
    saveStopped: async (current) => void events.push(`saved at ${current.epoch}.${current.step}`),
  }
  return { events, rates, work }
}

const plateau: EpochLoopSettings = { epochs: 6, stepsPerEpoch: 2, schedule: { kind: 'plateau', factor: 0.5, patience: 2, minLearningRate: 0.2 }, earlyStoppingPatience: null }

describe('runEpochLoop', () => {
  it('runs every step, keeps each better epoch and halves the rate after two epochs without one, never below the floor', async () => {
    const { events, rates, work } = scripted([0.5, 0.6, 0.6, 0.55, 0.7, 0.1])
    const state = initialEpochLoopState(1)
    expect(await runEpochLoop(state, plateau, work)).toBe('completed')
    expect(events.filter((event) => event.startsWith('step'))).toHaveLength(12)
    expect(events.filter((event) => event.startsWith('best'))).toEqual(['best 0', 'best 1', 'best 4'])
    // A tie is no improvement: epochs 2 and 3 halve the rate; epoch 5 alone does not.
    expect(rates).toEqual([1, 0.5])
    expect(state).toMatchObject({ epoch: 6, step: 0, learningRate: 0.5, best: { epoch: 4, score: 0.7 }, epochsWithoutImprovement: 1, stopped: null })
  })

  it('stops early after the patience, finishing the epoch it is in', async () => {
    const { events, work } = scripted([0.9, 0.1, 0.1, 0.1, 0.1, 0.1])
    const state = initialEpochLoopState(1)
    await runEpochLoop(state, { ...plateau, earlyStoppingPatience: 3 }, work)
    expect(state.stopped).toBe('early')
    expect(state.epoch).toBe(4)
    expect(events.at(-1)).toBe('end → 4')
  })

  it('ends before an epoch the caller refuses (time budget)', async () => {
    const { work } = scripted([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], { budgetEpochs: 2 })
    const state = initialEpochLoopState(1)
    expect(await runEpochLoop(state, plateau, work)).toBe('completed')
    expect(state).toMatchObject({ epoch: 2, stopped: 'time-budget' })
  })

  it('stops between steps with a saved state that resumes to the same end', async () => {
    const scores = [0.5, 0.4, 0.3, 0.8, 0.2, 0.1]
    const whole = scripted(scores)
    const wholeState = initialEpochLoopState(1)
    await runEpochLoop(wholeState, plateau, whole.work)

    const first = scripted(scores, { stopBeforeStep: [2, 1] })
    const state = initialEpochLoopState(1)
    expect(await runEpochLoop(state, plateau, first.work)).toBe('stopped')
    expect(first.events.at(-1)).toBe('saved at 2.1')
    const saved = JSON.parse(JSON.stringify(state)) as EpochLoopState
    const second = scripted(scores)
    expect(await runEpochLoop(saved, plateau, second.work)).toBe('completed')
    expect(second.events[0]).toBe('begin 2.1')
    expect(saved).toEqual(wholeState)
    const steps = (events: string[]) => events.filter((event) => event.startsWith('step'))
    expect([...steps(first.events), ...steps(second.events)]).toEqual(steps(whole.events))
  })

  it('sets the cosine rate at each epoch start, from the initial rate to the floor after a warm-up from a tenth', async () => {
    const schedule = { initial: 1e-3, minLearningRate: 1e-5, warmupEpochs: 2 }
    expect(cosineLearningRate(0, 12, schedule)).toBeCloseTo(1e-4, 12)
    expect(cosineLearningRate(1, 12, schedule)).toBeCloseTo(5.5e-4, 12)
    expect(cosineLearningRate(2, 12, schedule)).toBe(1e-3)
    expect(cosineLearningRate(11, 12, schedule)).toBeCloseTo(1e-5, 12)
    const { rates, work } = scripted([1, 2, 3, 4])
    await runEpochLoop(initialEpochLoopState(1e-3), { epochs: 4, stepsPerEpoch: 1, schedule: { kind: 'cosine', ...schedule, warmupEpochs: 0 }, earlyStoppingPatience: null }, work)
    // The first call applies the state's rate; then one per epoch, halfway (epoch 1.5 of 3) at the mean.
    expect(rates.slice(1)).toEqual([0, 1, 2, 3].map((epoch) => cosineLearningRate(epoch, 4, { ...schedule, warmupEpochs: 0 })))
  })
})
