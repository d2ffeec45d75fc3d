import { availableParallelism } from 'node:os'
import type { ItemRow } from '../../library/importJobRepository'
import type { ItemOutcome } from './outcomes'

/**
 * Workers that process an import's image files side by side: reading, hashing, decoding and thumbnailing a file
 * is CPU work on one thread, so one thread cannot keep up with a fast disk. The job's own thread keeps the database
 * writes, in file order.
 */
export interface ImportLanes {
  /** Lanes (one worker each). */
  count: number
  /** Pending files taken at once and shared among the lanes. */
  window: number
  /** Fewer files than this go through the job's own thread: starting a worker costs about as much as a few dozen files. */
  minimum: number
  /** Process files on one lane, reporting each outcome by its index in `items`; stops early once `signal` aborts. */
  run(items: ItemRow[], onOutcome: (index: number, outcome: ItemOutcome) => void, signal: AbortSignal): Promise<void>
}

/** Files per lane in one window: enough that a worker's start is a few percent of its work. */
export const FILES_PER_LANE_WINDOW = 1024

/** Fewer files than this per lane are not worth a worker. */
export const MIN_FILES_PER_LANE = 32

/**
 * Lanes of an import: one per core, at most 4 like a run's preparation lanes (each worker loads the whole job bundle,
 * ≈ 85 MB, and a disk rarely feeds more).
 */
export function importLaneCount(): number {
  return Math.max(1, Math.min(4, availableParallelism()))
}

/**
 * Process `items` on the lanes and commit their outcomes in file order, `batchSize` at a time, as soon as every
 * file before them is done: the database sees the same batches, in the same order, as when one thread reads the
 * files (so duplicates resolve the same way and a resumed job ends where an uninterrupted one does). Lane j takes
 * files j, j + lanes, j + 2 lanes, …, so every lane works at the front of the window.
 *
 * On abort the lanes finish the files they hold and the contiguous part is committed; the rest stay pending. A
 * lane's failure stops the others, commits what is contiguous, and is rethrown.
 * @param items pending image files, in order.
 * @param lanes the workers.
 * @param batchSize files per transaction.
 * @param commit writes one batch of outcomes (in a transaction).
 * @param signal the job's stop.
 */
export async function processOnLanes(items: readonly ItemRow[], lanes: ImportLanes, batchSize: number, commit: (outcomes: ItemOutcome[]) => void, signal: AbortSignal): Promise<void> {
  const count = Math.max(1, Math.min(lanes.count, items.length))
  const results: Array<ItemOutcome | undefined> = new Array(items.length)
  let ready = 0
  let committed = 0
  let fatal: { error: unknown } | undefined
  // After a failed write nothing later is written: batches land in file order or not at all.
  let writable = true
  const stop = new AbortController()
  const forward = () => stop.abort(signal.reason)
  if (signal.aborted) forward()
  else signal.addEventListener('abort', forward, { once: true })

  const flush = (final: boolean) => {
    if (!writable) return
    while (ready < items.length && results[ready] !== undefined) ready += 1
    while (ready - committed >= batchSize || (final && ready > committed)) {
      const end = Math.min(committed + batchSize, ready)
      const outcomes = results.slice(committed, end) as ItemOutcome[]
      results.fill(undefined, committed, end)
      committed = end
      try {
        commit(outcomes)
      } catch (error) {
        writable = false
        throw error
      }
    }
  }
  const fail = (error: unknown) => {
    fatal ??= { error }
    if (!stop.signal.aborted) stop.abort()
  }
  const lane = async (j: number) => {
    const assigned = items.filter((_, position) => position % count === j)
    try {
      await lanes.run(
        assigned,
        (index, outcome) => {
          if (fatal) return
          results[index * count + j] = outcome
          // Events arrive between other work on this thread: a failed write must stop the lanes, not vanish.
          try {
            flush(false)
          } catch (error) {
            fail(error)
          }
        },
        stop.signal,
      )
    } catch (error) {
      if (!signal.aborted) fail(error)
    }
  }
  try {
    await Promise.all(Array.from({ length: count }, (_, j) => lane(j)))
  } finally {
    signal.removeEventListener('abort', forward)
  }
  // After a lane's failure too: what is contiguous is real work, and keeping it spares a resume from redoing it.
  try {
    flush(true)
  } catch (error) {
    fatal ??= { error }
  }
  if (fatal) throw fatal.error
  if (!signal.aborted && committed < items.length) throw new Error(`an import worker stopped after ${committed} of ${items.length} files without saying why`)
}
