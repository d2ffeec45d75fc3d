import type { ItemRow } from '../../library/importJobRepository'
import type { ItemOutcome, ProcessContext } from './outcomes'
import type { ImagePlan, MaskPlan } from './plan'
import { processImage } from './processImage'
import { processMask } from './processMask'

/**
 * Process planned files with bounded concurrency (hashing, decoding and thumbnailing overlap I/O with CPU), calling
 * `onOutcome` as each one finishes. Items not started when the signal aborts are left out (they stay pending); an
 * unexpected error (disk full, a bug) stops the rest and is rethrown, the finished items being redone on resume.
 * @returns the outcomes in the items' order, without the items left out.
 */
export async function processItems(items: readonly ItemRow[], context: ProcessContext, concurrency: number, signal: AbortSignal, onOutcome?: (index: number, outcome: ItemOutcome) => void): Promise<ItemOutcome[]> {
  const results: Array<ItemOutcome | undefined> = new Array(items.length)
  let next = 0
  let fatal: { error: unknown } | undefined
  const worker = async () => {
    while (next < items.length && !signal.aborted && !fatal) {
      const index = next++
      try {
        results[index] = await processItem(items[index], context)
      } catch (error) {
        if (!signal.aborted) fatal ??= { error }
        return
      }
      onOutcome?.(index, results[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker))
  if (fatal) throw fatal.error
  return results.filter((result): result is ItemOutcome => result !== undefined)
}

function processItem(item: ItemRow, context: ProcessContext): Promise<ItemOutcome> {
  if (item.kind === 'image') return processImage({ ordinal: item.ordinal, sourceKey: item.sourceKey, path: item.path, plan: item.payload as ImagePlan }, context)
  return processMask({ ordinal: item.ordinal, sourceKey: item.sourceKey, plan: item.payload as MaskPlan }, context)
}
