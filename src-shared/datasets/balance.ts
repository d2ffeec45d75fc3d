import type { RandomSource } from '../metrics/random'
import { apportion } from './apportion'
import { drawNegatives } from './borrow'
import { deriveSeed, randomForStep, shuffle } from './random'
import type { BalanceMode, ClassCounts, LabeledImage } from './types'

/**
 * The arithmetic of balancing one training set, before any image is chosen. Section IV: "Training-set data are
 * finally balanced between COVID+ and COVID-: where possible, we increased the COVID- cases (CORDA&ChestXRy,
 * CORDA&RSNA), where not possible we subsampled the more populated class."
 */
export interface BalancePlan {
  mode: BalanceMode
  /** Counts before balancing. */
  before: ClassCounts
  /** COVID− images to borrow: min(max(P − N, 0), available). */
  borrow: number
  /** Images kept per class after balancing (COVID− includes the borrowed). */
  after: ClassCounts
  /** Images dropped per class by subsampling. */
  dropped: ClassCounts
}

/**
 * Balance arithmetic for P positives and N negatives:
 * - `none`: unchanged.
 * - `subsample`: both classes become min(P, N); the larger loses |P − N|.
 * - `borrow`: borrow B = min(max(P − N, 0), available) negatives; then, if still unequal (pool too small, or
 *   N > P to begin with), subsample the larger class to min(P, N + B). So the result is always balanced unless
 *   the mode is `none`.
 * @param before class counts of the training set.
 * @param mode the spec's balance mode.
 * @param borrowAvailable borrowable COVID− images (only used by `borrow`).
 */
export function planBalance(before: ClassCounts, mode: BalanceMode, borrowAvailable = 0): BalancePlan {
  if (mode === 'none') return { mode, before, borrow: 0, after: { ...before }, dropped: { positive: 0, negative: 0 } }
  const borrow = mode === 'borrow' ? Math.min(Math.max(before.positive - before.negative, 0), Math.max(borrowAvailable, 0)) : 0
  const negative = before.negative + borrow
  const kept = Math.min(before.positive, negative)
  return {
    mode,
    before,
    borrow,
    after: { positive: kept, negative: kept },
    dropped: { positive: before.positive - kept, negative: negative - kept },
  }
}

/** A balanced training set: what stays, what was borrowed into it, and what subsampling dropped. */
export interface BalancedTrainingSet {
  /** The balanced training images: kept primary images, then borrowed ones. */
  train: LabeledImage[]
  borrowed: LabeledImage[]
  dropped: LabeledImage[]
  /** Borrow pool left unused. */
  unusedPool: LabeledImage[]
  plan: BalancePlan
  /** COVID− images the pool could not supply (then the positives are subsampled instead). */
  shortfall: number
}

/**
 * Balance a training set by the plan of {@link planBalance}: borrow whole patients from the pool (see
 * {@link drawNegatives}), then subsample the larger class if the classes still differ.
 * @param train the training split (validation already taken out: the paper balances the training set only,
 *   Table I's 126 COVID+ = 84 balanced training + 42 unbalanced validation).
 * @param options mode, the borrow pool left after the test and validation draws, and the seed.
 */
export function balanceTrainingSet(
  train: readonly LabeledImage[],
  options: { mode: BalanceMode; borrowPool?: readonly LabeledImage[]; seed: number },
): BalancedTrainingSet {
  const pool = options.borrowPool ?? []
  const before = countClasses(train)
  let borrowed: LabeledImage[] = []
  let unusedPool = pool.slice()
  let shortfall = 0
  if (options.mode === 'borrow') {
    const draw = drawNegatives(pool, Math.max(before.positive - before.negative, 0), deriveSeed(options.seed, 'borrow/train'))
    ;({ drawn: borrowed, rest: unusedPool, shortfall } = draw)
  }
  const plan = planBalance(before, options.mode, borrowed.length)
  const random = randomForStep(options.seed, 'subsample/train')
  const positives = subsampleProportionally(
    train.filter((image) => image.binaryLabel === 'positive'),
    plan.after.positive,
    random,
  )
  // Borrowed images are never dropped: they were drawn to fill a gap, so a surplus can only be the primary's own.
  const negatives = subsampleProportionally(
    train.filter((image) => image.binaryLabel === 'negative'),
    plan.after.negative - borrowed.length,
    random,
  )
  const keptSet = new Set([...positives.kept, ...negatives.kept])
  return {
    train: [...train.filter((image) => keptSet.has(image)), ...borrowed],
    borrowed,
    dropped: train.filter((image) => !keptSet.has(image)),
    unusedPool,
    plan,
    shortfall,
  }
}

/**
 * Keep `keep` of some images, each source dataset contributing in proportion to its share (largest remainder,
 * see {@link apportion}), the images within a dataset drawn at random.
 * Why proportional and not one pooled random draw (the paper's `pandas.sample`): a pooled draw makes each
 * dataset's share of a class a random variable — Table I's CORDA&COVID-ChestXRay 116 + 49 COVID+ is one such
 * draw, where the proportional split is 112 + 53 — and the dataset mix of a class is exactly the confound this
 * workstation studies, so it is fixed by the sizes, not the seed.
 * @param images images of one class.
 * @param keep how many to keep (≤ images.length).
 * @param random seeded source.
 */
export function subsampleProportionally(
  images: readonly LabeledImage[],
  keep: number,
  random: RandomSource,
): { kept: LabeledImage[]; dropped: LabeledImage[] } {
  if (keep >= images.length) return { kept: images.slice(), dropped: [] }
  const byDataset = new Map<string, LabeledImage[]>()
  for (const image of images) {
    const list = byDataset.get(image.datasetId) ?? []
    list.push(image)
    byDataset.set(image.datasetId, list)
  }
  // Alphabetical, so remainder ties do not depend on the order the library returned the images in.
  const datasets = [...byDataset.keys()].sort()
  const quotas = apportion(Math.max(keep, 0), datasets.map((datasetId) => byDataset.get(datasetId)?.length ?? 0))
  const keptSet = new Set<LabeledImage>()
  datasets.forEach((datasetId, index) => {
    // Sorted by id before shuffling for the same reason.
    const candidates = (byDataset.get(datasetId) ?? []).slice().sort(compareImages)
    for (const image of shuffle(candidates, random).slice(0, quotas[index])) keptSet.add(image)
  })
  return {
    kept: images.filter((image) => keptSet.has(image)),
    dropped: images.filter((image) => !keptSet.has(image)),
  }
}

/**
 * COVID+ and COVID− counts of some images.
 * @param images labelled images.
 */
export function countClasses(images: readonly LabeledImage[]): ClassCounts {
  let positive = 0
  for (const image of images) if (image.binaryLabel === 'positive') positive += 1
  return { positive, negative: images.length - positive }
}

function compareImages(a: LabeledImage, b: LabeledImage): number {
  const left = `${a.imageId}\u0000${a.contentHash}`
  const right = `${b.imageId}\u0000${b.contentHash}`
  return left < right ? -1 : left > right ? 1 : 0
}
