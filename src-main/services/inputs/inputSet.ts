import { dequantiseInput, readCachedValues } from './inputCache'

/** The images of one split as the network takes them, read batch by batch: memory does not grow with the split. */
export interface InputSet {
  readonly count: number
  /** Side of each square input. */
  readonly size: number
  /** Class index of each item. */
  readonly labels: Int32Array
  /** The inputs of `indices`, in that order: indices.length × size × size floats in [0, 1]. */
  read(indices: readonly number[]): Promise<Float32Array>
}

/** A set held in memory (estimates and tests: a few batches). */
export function memoryInputSet(images: Float32Array, labels: Int32Array, size: number): InputSet {
  const area = size * size
  return setOf(labels, size, async (indices, out) => indices.forEach((item, position) => out.set(images.subarray(item * area, (item + 1) * area), position * area)))
}

function setOf(labels: Int32Array, size: number, fill: (indices: readonly number[], out: Float32Array<ArrayBuffer>) => Promise<void>): InputSet {
  return {
    count: labels.length,
    size,
    labels,
    async read(indices) {
      const out = new Float32Array(indices.length * size * size)
      await fill(indices, out)
      return out
    },
  }
}

/**
 * A set read from the input cache, one file per item, when a batch asks for it (the page cache keeps what was
 * read recently). `ready` resolves once an item's file exists: while inputs are still being prepared, a batch
 * waits only for its own images.
 */
export function cachedInputSet(files: readonly string[], labels: Int32Array, size: number, ready?: (index: number) => Promise<void>): InputSet {
  const area = size * size
  return setOf(labels, size, async (indices, out) => {
    await Promise.all(
      indices.map(async (item, position) => {
        await ready?.(item)
        const stored = await readCachedValues(files[item], area)
        if (!stored) throw new Error(`the prepared input ${files[item]} is missing or damaged (was the cache cleared while a run used it?); resume the run to prepare it again`)
        dequantiseInput(stored, out, position * area)
      }),
    )
  })
}
