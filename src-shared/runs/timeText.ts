/**
 * A run's time said honestly: the estimate includes preparing the inputs (which can take longer than training a
 * small model), and the progress line during preparation shows a count, a rate and what is left instead of
 * "0.0 images/s · about — left".
 */
import { formatDuration, preparationSecondsPerImage } from '../studies/estimate'
import type { RunConfig } from './config'
import type { RunProgress, RunRecord } from './record'

/** How many recent finished runs the measured preparation rate looks at. */
const RECENT_RUNS = 5

/** Seconds of input preparation a run will need, and where the per-image figure comes from. */
export interface PreparationEstimate {
  seconds: number
  secondsPerImage: number
  /** `measured`: the slowest of this machine's recent runs with the same preprocessing; `typical`: the README's benchmark. */
  basis: 'measured' | 'typical'
}

/**
 * Input preparation for `images` fine-tuning images (train and validation). Recent completed runs with the same
 * preprocessing give the per-image time on this machine; the slowest is taken, since a run whose inputs were
 * already cached prepares far faster than a new composition will. Without such a run, the benchmark's typical figure.
 * @param runs runs of the library (any state; only completed ones with a provenance count).
 * @param preprocessing the new run's preprocessing.
 * @param images images the new run prepares.
 */
export function preparationEstimate(runs: readonly RunRecord[], preprocessing: RunConfig['preprocessing'], images: number): PreparationEstimate {
  const rates = runs
    .filter((run) => run.state === 'completed' && run.config.preprocessing === preprocessing && run.timings.prepareSeconds > 0 && (run.provenance?.images.length ?? 0) > 0)
    .sort((a, b) => (b.timings.finishedAt ?? '').localeCompare(a.timings.finishedAt ?? ''))
    .slice(0, RECENT_RUNS)
    .map((run) => run.timings.prepareSeconds / run.provenance!.images.length)
  const measured = rates.length > 0
  const secondsPerImage = measured ? Math.max(...rates) : preparationSecondsPerImage(preprocessing)
  return { seconds: secondsPerImage * images, secondsPerImage, basis: measured ? 'measured' : 'typical' }
}

/** Where preparation stood when the page first saw it: the start of its rate. */
export interface PreparationMark {
  /** Milliseconds (Date.now()) of the first preparing event seen. */
  at: number
  done: number
}

/**
 * The progress line of a running run, in words. While inputs are prepared, the rate and the time left come from
 * how far preparation got since `since` (the main process sends counts only); a phase of training reads
 * "training epoch 3 of 20".
 * @param progress the run's last progress event.
 * @param since the first preparing event this page saw (null when none).
 * @param now Date.now().
 */
export function progressLine(progress: RunProgress, since: PreparationMark | null, now: number): string {
  if (progress.phase === 'preparing') {
    const head = `Preparing the inputs: ${progress.step} of ${progress.stepsPerEpoch} images`
    const seconds = since ? (now - since.at) / 1000 : 0
    const gained = since ? progress.step - since.done : 0
    // A rate from under 3 s or 3 images is noise; say so rather than print 0.0 images/s.
    if (seconds < 3 || gained < 3) return `${head} · timing the first images…`
    const rate = gained / seconds
    const left = (progress.stepsPerEpoch - progress.step) / rate
    return `${head} · ${rate.toFixed(1)} images/s · about ${formatDuration(left)} left, then training`
  }
  const phase = progress.phase === 'pretrain' ? 'Pre-training' : 'Training'
  const eta = progress.etaSeconds === null ? 'timing the first steps…' : `about ${formatDuration(progress.etaSeconds)} left`
  const rate = progress.imagesPerSecond > 0 ? ` · ${progress.imagesPerSecond.toFixed(1)} images/s` : ''
  return `${phase} epoch ${progress.epoch + 1} of ${progress.epochs} · step ${progress.step} of ${progress.stepsPerEpoch}${rate} · ${eta}`
}
