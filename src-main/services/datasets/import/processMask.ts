import { basename } from 'node:path'
import sharp from 'sharp'
import type { SharpOptions } from 'sharp'
import { CacheWriteError, cachePath, writeCacheFile } from '../../library/cacheFiles'
import { hashBytes, hashFile } from '../../library/hashing'
import type { MaskPlan } from './plan'
import { rejected } from './outcomes'
import type { ItemOutcome, ProcessContext } from './outcomes'

const SHARP_OPTIONS: SharpOptions = { failOn: 'error', limitInputPixels: 2 ** 26 }

/** One planned mask. */
export interface MaskItem {
  ordinal: number
  sourceKey: string
  plan: MaskPlan
}

/**
 * Process one mask outside any transaction: check it fits its image, and for a left+right pair write their union
 * (a pixel is lung when either half says so) to the cache under its content hash. Masks whose image failed or
 * was skipped are skipped in turn.
 * @param item the planned mask.
 * @param context the job's tools.
 */
export async function processMask(item: MaskItem, context: ProcessContext): Promise<ItemOutcome> {
  const image = context.findImage(item.plan.imageKey)
  const first = item.plan.paths[0]
  if (!image) {
    return rejected(item.ordinal, item.sourceKey, 'skipped', {
      code: 'image-not-imported',
      severity: 'warning',
      file: first,
      message: `${basename(first)}: its image "${item.plan.imageKey}" is not in the dataset (it failed or was skipped), so the mask is not attached`,
    })
  }
  let paths: string[]
  try {
    // Checked at read time, like images: a mask file that is a link out of the chosen folders is refused.
    paths = await Promise.all(item.plan.paths.map((path) => context.readable(path, 'mask')))
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
    return rejected(item.ordinal, item.sourceKey, 'failed', { code: missing ? 'file-missing' : 'outside-folder', severity: 'error', file: first, message: (error as Error).message })
  }
  try {
    const mask = paths.length === 1 ? await singleMask(paths[0]) : await unionMask(paths, context)
    if (mask.width !== image.width || mask.height !== image.height) {
      return rejected(item.ordinal, item.sourceKey, 'failed', {
        code: 'mask-size-mismatch',
        severity: 'error',
        file: first,
        message: `${basename(first)}: mask is ${mask.width}×${mask.height} but image "${item.plan.imageKey}" is ${image.width}×${image.height}`,
      })
    }
    return {
      kind: 'mask',
      ordinal: item.ordinal,
      sourceKey: item.sourceKey,
      mask: { ...mask, imageKey: item.plan.imageKey, structure: item.plan.structure, sources: item.plan.paths },
      warnings: [],
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (context.signal.aborted || error instanceof CacheWriteError) throw error
    return rejected(item.ordinal, item.sourceKey, 'failed', {
      code: code === 'ENOENT' ? 'file-missing' : 'unreadable',
      severity: 'error',
      file: first,
      message: code === 'ENOENT' ? `${first}: mask file not found` : `${first}: not a readable mask image (${(error as Error).message})`,
    })
  }
}

async function singleMask(path: string): Promise<{ path: string; contentHash: string; width: number; height: number }> {
  const { contentHash } = await hashFile(path)
  const { width, height } = await sharp(path, SHARP_OPTIONS).metadata()
  if (!width || !height) throw new Error('no image size in its header')
  return { path, contentHash, width, height }
}

async function unionMask(paths: string[], context: ProcessContext): Promise<{ path: string; contentHash: string; width: number; height: number }> {
  const halves = await Promise.all(paths.map((path) => sharp(path, SHARP_OPTIONS).removeAlpha().toColourspace('b-w').raw().toBuffer({ resolveWithObject: true })))
  const { width, height } = halves[0].info
  for (const [index, half] of halves.entries()) {
    if (half.info.channels !== 1) throw new Error(`${basename(paths[index])} did not reduce to one grey channel`)
    if (half.info.width !== width || half.info.height !== height) {
      throw new Error(`halves differ in size: ${basename(paths[0])} is ${width}×${height}, ${basename(paths[index])} is ${half.info.width}×${half.info.height}`)
    }
  }
  const union = Buffer.alloc(width * height)
  for (const half of halves) {
    const data = half.data
    for (let i = 0; i < union.length; i++) if (data[i] > union[i]) union[i] = data[i]
  }
  // PNG is lossless and its encoding deterministic for equal pixels, so the same halves give the same hash.
  const png = await sharp(union, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png({ compressionLevel: 9 }).toBuffer()
  const contentHash = hashBytes(png)
  const path = cachePath(context.maskCacheFolder, contentHash, '.png')
  await writeCacheFile(path, png)
  return { path, contentHash, width, height }
}
