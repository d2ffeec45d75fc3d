import type { InputImage } from './inputPipeline'

/** How many inputs a preparation made, and how many of those had no lungs found (used unmasked). */
export interface PreparationCounts {
  cached: number
  prepared: number
  unmasked: number
}

/** Prepares a chunk of images (into the cache), reporting each one as it is done; `lanes` chunks are prepared side by side. */
export type PrepareChunk = (images: InputImage[], onEach: (index: number, outcome: { cached: boolean; masked: boolean }) => void, lanes: number) => Promise<void>

/**
 * Fewer missing images than this per lane are not worth a lane of their own: a lane is a worker that loads its
 * own TensorFlow.js and lung model, which costs about as much as preparing a few dozen images.
 */
export const IMAGES_PER_LANE = 48

/** A preparation in progress. */
export interface Preparation {
  /** Resolves once item `index` is in the cache; rejects with the preparation's error. */
  ready(index: number): Promise<void>
  /** Resolves once every item is prepared. */
  done: Promise<PreparationCounts>
  /** Marks the preparation stopped (the caller also stops its lanes); waiting reads then fail. */
  stop(): void
  /** How many images are being prepared, and on how many lanes. */
  missing: number
  lanes: number
}

/**
 * Prepares the `missing` images into the input cache on up to `parallelism` lanes (one worker each in a run; fewer
 * when there are few to prepare, see {@link IMAGES_PER_LANE}), in the
 * order given (the first epoch's batch order, so training can start as soon as its first batch is ready and then
 * overlaps the rest). Lane j takes missing[j], missing[j + lanes], …: every lane works through the same priority.
 */
export function startPreparation(images: readonly InputImage[], missing: readonly number[], prepareChunk: PrepareChunk, options: { parallelism: number; onItem?: (done: number, total: number) => void }): Preparation {
  const waiting = new Map<number, { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void }>()
  const settledItems = new Set<number>()
  const missingSet = new Set(missing)
  const counts: PreparationCounts = { cached: images.length - missing.length, prepared: 0, unmasked: 0 }
  let failure: Error | null = null
  let stopped = false
  let doneCount = 0
  const entry = (index: number) => {
    let found = waiting.get(index)
    if (!found) {
      let resolve!: () => void
      let reject!: (error: Error) => void
      const promise = new Promise<void>((yes, no) => {
        resolve = yes
        reject = no
      })
      promise.catch(() => undefined)
      found = { promise, resolve, reject }
      waiting.set(index, found)
    }
    return found
  }
  const lanes = Math.max(1, Math.min(options.parallelism, Math.floor(missing.length / IMAGES_PER_LANE)))
  const lane = async (laneIndex: number) => {
    const assigned = missing.filter((_, position) => position % lanes === laneIndex)
    if (assigned.length === 0) return
    await prepareChunk(
      assigned.map((index) => images[index]),
      (position, outcome) => {
        const index = assigned[position]
        if (outcome.cached) counts.cached += 1
        else counts.prepared += 1
        if (!outcome.masked) counts.unmasked += 1
        settledItems.add(index)
        entry(index).resolve()
        options.onItem?.(++doneCount, missing.length)
      },
      lanes,
    )
  }
  const done = Promise.all(Array.from({ length: lanes }, (_, laneIndex) => lane(laneIndex)))
    .then(() => {
      if (settledItems.size < missing.length) throw new Error(stopped ? 'the preparation of inputs was stopped' : 'some inputs were not prepared')
      return counts
    })
    .catch((error: Error) => {
      failure ??= error
      for (const [index, waiter] of waiting) if (!settledItems.has(index)) waiter.reject(failure)
      throw failure
    })
  done.catch(() => undefined)
  return {
    ready(index) {
      if (!missingSet.has(index) || settledItems.has(index)) return Promise.resolve()
      if (failure) return Promise.reject(failure)
      return entry(index).promise
    },
    done,
    stop() {
      stopped = true
    },
    missing: missing.length,
    lanes,
  }
}
