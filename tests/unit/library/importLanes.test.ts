/**
 * An import's files read on several lanes are written in file order, in the same batches as one thread writes them:
 * whatever order the lanes finish in, after a cancel, after a lane's failure and after a failed write.
 */
import { describe, expect, it } from 'vitest'
import { processOnLanes, type ImportLanes } from '../../../src-main/services/datasets/import/importLanes'
import type { ItemOutcome } from '../../../src-main/services/datasets/import/outcomes'
import type { ItemRow } from '../../../src-main/services/library/importJobRepository'

function items(count: number): ItemRow[] {
  return Array.from({ length: count }, (_, ordinal) => ({ ordinal, kind: 'image' as const, sourceKey: `f${ordinal}`, path: `/data/f${ordinal}.dcm`, payload: {}, status: 'pending' as const }))
}

function outcomeOf(item: ItemRow): ItemOutcome {
  return { kind: 'rejected', ordinal: item.ordinal, sourceKey: item.sourceKey, status: 'skipped', issue: { code: 'modality-excluded', severity: 'info', file: item.path, message: item.sourceKey } }
}

/** A deterministic stream of delays, so lanes finish out of order the same way every run. */
function delays(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state % 4
  }
}

interface FakeLaneOptions {
  count: number
  /** Files a lane has in flight at once (they may finish out of order). */
  concurrency?: number
  /** Called before each file; a throw fails the lane. */
  before?(item: ItemRow): void
  /** Stop a lane after this many files without failing (a lane that lost files). */
  quitAfter?: number
}

function fakeLanes(options: FakeLaneOptions): ImportLanes & { started: ItemRow[][]; stopsSeen: number } {
  const next = delays(7)
  const lanes = {
    count: options.count,
    window: 1000,
    minimum: 1,
    started: [] as ItemRow[][],
    stopsSeen: 0,
    async run(assigned: ItemRow[], onOutcome: (index: number, outcome: ItemOutcome) => void, signal: AbortSignal) {
      lanes.started.push(assigned)
      let position = 0
      let done = 0
      const worker = async () => {
        while (position < assigned.length && !signal.aborted) {
          if (options.quitAfter !== undefined && done >= options.quitAfter) return
          const index = position++
          options.before?.(assigned[index])
          await new Promise((resolve) => setTimeout(resolve, next()))
          done += 1
          onOutcome(index, outcomeOf(assigned[index]))
        }
        if (signal.aborted) lanes.stopsSeen += 1
      }
      await Promise.all(Array.from({ length: options.concurrency ?? 2 }, worker))
    },
  }
  return lanes
}

function batchesOf(commits: ItemOutcome[][]): number[][] {
  return commits.map((batch) => batch.map((outcome) => outcome.ordinal))
}

describe('processOnLanes', () => {
  it('writes every file in order, in the batches one thread would write', async () => {
    const commits: ItemOutcome[][] = []
    await processOnLanes(items(50), fakeLanes({ count: 3 }), 8, (batch) => commits.push(batch), new AbortController().signal)
    const serial = Array.from({ length: 7 }, (_, b) => Array.from({ length: Math.min(8, 50 - 8 * b) }, (_, i) => 8 * b + i))
    expect(batchesOf(commits)).toEqual(serial)
  })

  it('shares the files among the lanes, each working from the front', async () => {
    const lanes = fakeLanes({ count: 3 })
    await processOnLanes(items(10), lanes, 4, () => undefined, new AbortController().signal)
    expect(lanes.started.map((assigned) => assigned.map((item) => item.ordinal)).sort((a, b) => a[0] - b[0])).toEqual([
      [0, 3, 6, 9],
      [1, 4, 7],
      [2, 5, 8],
    ])
  })

  it('after a cancel writes only the files before the first one missing, and leaves the rest pending', async () => {
    const controller = new AbortController()
    const commits: ItemOutcome[][] = []
    let started = 0
    const lanes = fakeLanes({
      count: 2,
      before: () => {
        if (++started === 21) controller.abort()
      },
    })
    await processOnLanes(items(60), lanes, 4, (batch) => commits.push(batch), controller.signal)
    const written = batchesOf(commits).flat()
    expect(written).toEqual(Array.from({ length: written.length }, (_, i) => i))
    // The 21st file was in hand when the cancel came, so it may finish; none after it starts.
    expect(written.length).toBeGreaterThan(0)
    expect(written.length).toBeLessThanOrEqual(21)
    expect(lanes.stopsSeen).toBeGreaterThan(0)
  })

  it("stops the other lanes when one fails, keeps what is contiguous, and reports the failure", async () => {
    const commits: ItemOutcome[][] = []
    const lanes = fakeLanes({
      count: 2,
      before: (item) => {
        if (item.ordinal === 31) throw new Error('disk full while writing a thumbnail')
      },
    })
    await expect(processOnLanes(items(200), lanes, 4, (batch) => commits.push(batch), new AbortController().signal)).rejects.toThrow('disk full')
    const written = batchesOf(commits).flat()
    expect(written).toEqual(Array.from({ length: written.length }, (_, i) => i))
    expect(written.length).toBeLessThanOrEqual(31)
    // The other lane was stopped, not left to read its 100 files.
    expect(lanes.stopsSeen).toBeGreaterThan(0)
  })

  it('writes nothing after a failed write', async () => {
    const commits: ItemOutcome[][] = []
    let calls = 0
    const commit = (batch: ItemOutcome[]) => {
      if (++calls === 3) throw new Error('database is locked')
      commits.push(batch)
    }
    await expect(processOnLanes(items(40), fakeLanes({ count: 2 }), 4, commit, new AbortController().signal)).rejects.toThrow('database is locked')
    expect(batchesOf(commits)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ])
    expect(calls).toBe(3)
  })

  it('fails, rather than loop, when a lane ends without reporting its files', async () => {
    await expect(processOnLanes(items(20), fakeLanes({ count: 2, quitAfter: 3 }), 4, () => undefined, new AbortController().signal)).rejects.toThrow(/stopped after \d+ of 20 files/)
  })
})
