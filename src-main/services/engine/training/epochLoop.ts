/**
 * The one training-loop core of the app: epochs of steps, validation after each epoch, the best epoch kept,
 * the learning rate scheduled (halved on a plateau, or along a cosine), early stopping, and a stop between
 * steps that leaves a resumable state. The COVID classifier (runs/trainLoop.ts) and the lung U-Net
 * (lung/training/trainSegmentation.ts) both train through it; each supplies its own step, validation and
 * checkpoints. The state is plain data, so a caller saves it beside its weights and resumes from it later.
 */

/** Where a loop stands between steps: with the weights and the optimizer, everything a resume needs. */
export interface EpochLoopState<Best extends BestEpoch = BestEpoch> {
  /** Epoch in progress (0-based). */
  epoch: number
  /** Next step to run in `epoch`. */
  step: number
  learningRate: number
  best: Best | null
  /** Epochs since the best (early stopping) and since the last improvement or reduction (plateau). */
  epochsWithoutImprovement: number
  plateauWait: number
  /** Why the loop ends before its last epoch: early stopping, or a time budget that would be overrun. */
  stopped: 'early' | 'time-budget' | null
}

/** The best epoch so far, by a score where higher is better. */
export interface BestEpoch {
  epoch: number
  score: number
}

/**
 * How the learning rate changes. `plateau`: multiplied by `factor` after `patience` epochs without a better score
 * (never below the minimum). `cosine`: from the initial rate down to the minimum along half a cosine over the
 * epochs (Loshchilov & Hutter, SGDR, ICLR 2017, without restarts), after an optional linear warm-up from a tenth
 * of the rate; set at the start of each epoch.
 */
export type LearningRateSchedule =
  | { kind: 'constant' }
  | { kind: 'plateau'; factor: number; patience: number; minLearningRate: number }
  | { kind: 'cosine'; initial: number; minLearningRate: number; warmupEpochs: number }

/** What the loop runs: how many epochs and steps, and when it stops early. */
export interface EpochLoopSettings {
  epochs: number
  stepsPerEpoch: number
  schedule: LearningRateSchedule
  /** Epochs without a better score before training stops; null: never. */
  earlyStoppingPatience: number | null
}

/** The work of one kind of model. Every function may be async; the loop awaits it. */
export interface EpochLoopWork<Best extends BestEpoch> {
  /** Applies the scheduled rate to the optimizer. */
  setLearningRate(rate: number): void
  /**
   * Before an epoch's first step, or a resumed epoch's next one (`state.step` > 0): prepare its data order.
   * Returning false ends training before the epoch (a time budget it would overrun).
   */
  beginEpoch?(state: EpochLoopState<Best>): boolean | void | Promise<boolean | void>
  /** Trains step `state.step` of `state.epoch`; the loop then advances `state.step`. */
  step(state: EpochLoopState<Best>): Promise<void>
  /** After each step, with `state.step` advanced: progress, mid-epoch checkpoints. */
  afterStep?(state: EpochLoopState<Best>): void | Promise<void>
  /** After the epoch's last step: validation, returned as this epoch's candidate for the best. */
  validate(state: EpochLoopState<Best>): Promise<Best>
  /** The epoch just validated is the best so far: keep its weights. */
  keepBest(state: EpochLoopState<Best>): Promise<void>
  /** The epoch is over and the counters advanced: reset per-epoch sums, save a checkpoint. */
  endEpoch(state: EpochLoopState<Best>): Promise<void>
  /** Polled before each step: true ends the loop `stopped`, after `saveStopped`. */
  shouldStop(): boolean
  /** Saves a resumable checkpoint before a stop. */
  saveStopped(state: EpochLoopState<Best>): Promise<void>
}

/** The fresh state of a loop. */
export function initialEpochLoopState<Best extends BestEpoch>(learningRate: number): EpochLoopState<Best> {
  return { epoch: 0, step: 0, learningRate, best: null, epochsWithoutImprovement: 0, plateauWait: 0, stopped: null }
}

/**
 * Runs epochs from `state` (fresh or restored) until the last epoch, early stopping, a time budget, or a stop
 * request. Returns `stopped` when asked to stop (a checkpoint was saved), otherwise `completed`.
 */
export async function runEpochLoop<Best extends BestEpoch>(state: EpochLoopState<Best>, settings: EpochLoopSettings, work: EpochLoopWork<Best>): Promise<'completed' | 'stopped'> {
  work.setLearningRate(state.learningRate)
  while (state.epoch < settings.epochs && state.stopped === null) {
    if (settings.schedule.kind === 'cosine' && state.step === 0) {
      state.learningRate = cosineLearningRate(state.epoch, settings.epochs, settings.schedule)
      work.setLearningRate(state.learningRate)
    }
    if ((await work.beginEpoch?.(state)) === false) {
      state.stopped = 'time-budget'
      break
    }
    while (state.step < settings.stepsPerEpoch) {
      if (work.shouldStop()) {
        await work.saveStopped(state)
        return 'stopped'
      }
      await work.step(state)
      state.step += 1
      await work.afterStep?.(state)
    }
    const candidate = await work.validate(state)
    const improved = state.best === null || candidate.score > state.best.score
    if (improved) {
      state.best = candidate
      await work.keepBest(state)
    }
    afterValidation(state, improved, settings, work)
    state.epoch += 1
    state.step = 0
    await work.endEpoch(state)
  }
  return 'completed'
}

function afterValidation<Best extends BestEpoch>(state: EpochLoopState<Best>, improved: boolean, settings: EpochLoopSettings, work: EpochLoopWork<Best>): void {
  state.epochsWithoutImprovement = improved ? 0 : state.epochsWithoutImprovement + 1
  if (settings.earlyStoppingPatience !== null && state.epochsWithoutImprovement >= settings.earlyStoppingPatience) state.stopped = 'early'
  const schedule = settings.schedule
  if (schedule.kind !== 'plateau') return
  state.plateauWait = improved ? 0 : state.plateauWait + 1
  if (state.plateauWait >= schedule.patience) {
    state.learningRate = Math.max(schedule.minLearningRate, state.learningRate * schedule.factor)
    state.plateauWait = 0
    work.setLearningRate(state.learningRate)
  }
}

/** The cosine schedule's rate for a 0-based epoch (see {@link LearningRateSchedule}). */
export function cosineLearningRate(epoch: number, epochs: number, schedule: { initial: number; minLearningRate: number; warmupEpochs: number }): number {
  const { initial, minLearningRate, warmupEpochs } = schedule
  if (epoch < warmupEpochs) return initial * (0.1 + (0.9 * epoch) / warmupEpochs)
  const span = Math.max(1, epochs - warmupEpochs - 1)
  const progress = Math.min(1, (epoch - warmupEpochs) / span)
  return minLearningRate + 0.5 * (initial - minLearningRate) * (1 + Math.cos(Math.PI * progress))
}
