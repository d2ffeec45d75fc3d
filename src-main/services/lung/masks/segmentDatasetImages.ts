import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import sharp from 'sharp'
import type { DecodedImage } from '@shared/imaging/types'
import type { MaskFailure, SegmentationProgress } from '@shared/lung/qaSchemas'
import { cachePath, writeCacheFile } from '../../library/cacheFiles'
import { segmentLungs, type LungModel } from '../model/lungModel'
import { createLungMaskRepository, type ImageToSegment } from './lungMaskRepository'

/** Where a model's masks are cached: `<dataFolder>/cache/lung-masks/<modelId>/`. */
export function maskCacheFolder(dataFolder: string, modelId: string): string {
  return join(dataFolder, 'cache', 'lung-masks', modelId)
}

/** Everything one pass over a dataset needs; the same whether it runs in a job worker or (tests) in-process. */
export interface SegmentDatasetOptions {
  db: Database
  dataFolder: string
  /** The job's progress so far (status, ids); updated in place and emitted. */
  progress: SegmentationProgress
  modelId: string
  lung: () => Promise<LungModel>
  decode: (path: string) => Promise<DecodedImage>
  shouldStop: () => boolean
  emit: (progress: SegmentationProgress) => void
  onFailure: (failure: MaskFailure) => void
  now: () => string
  /** Minimum milliseconds between two progress events (default 250). */
  progressIntervalMs?: number
  /** Test seam: called before each image is processed, with its index. */
  beforeImage?: (index: number) => Promise<void> | void
}

/**
 * Segments every image of a dataset that has no mask by this model yet: cached for this image, cached for its
 * content (another image with the same bytes), or segmented now with the model card's post-processing, the mask
 * written as a PNG into the content-addressed cache and recorded with its QA features. An image that cannot be
 * decoded or segmented is recorded as a failure and the job goes on; a problem that breaks every image (no
 * model, disk full) throws.
 * @returns `completed`, or `cancelled` when `shouldStop` turned true (the images done stay done).
 */
export async function segmentDatasetImages(options: SegmentDatasetOptions): Promise<'completed' | 'cancelled'> {
  const { progress, modelId } = options
  const repository = createLungMaskRepository(options.db)
  const folder = maskCacheFolder(options.dataFolder, modelId)
  const startedAt = performance.now()
  let segmentedThisRun = 0
  let lastEmit = 0

  const recordFailure = (image: ImageToSegment, error: unknown) => {
    const message = error instanceof Error ? error.message : String(error)
    const failedAt = options.now()
    repository.recordFailure(image.rowId, modelId, message, failedAt)
    options.onFailure({ imageId: image.imageId, path: image.path, message, failedAt })
  }

  const processImage = async (image: ImageToSegment): Promise<'cached' | 'segmented' | 'failed'> => {
    const own = repository.maskOf(image.rowId, modelId)
    if (own && own.contentHash === image.contentHash && existsSync(own.maskPath)) return 'cached'
    const shared = repository.maskByHash(modelId, image.contentHash)
    if (shared && existsSync(shared.maskPath)) {
      repository.saveMask(image.rowId, modelId, shared, options.now())
      return 'cached'
    }
    let decoded: DecodedImage
    try {
      decoded = await options.decode(image.path)
    } catch (error) {
      recordFailure(image, error)
      return 'failed'
    }
    const loaded = await options.lung()
    let result: Awaited<ReturnType<typeof segmentLungs>>
    try {
      result = await segmentLungs(loaded, decoded)
    } catch (error) {
      // An image the chain cannot take (a degenerate size) fails alone; a broken model fails every image, which
      // the list of failures makes obvious.
      recordFailure(image, error)
      return 'failed'
    }
    const { width, height, data } = result.mask
    const png = await sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 1 } })
      .png({ compressionLevel: 6 })
      .toBuffer()
    const maskPath = cachePath(folder, image.contentHash, '.png')
    await writeCacheFile(maskPath, png)
    repository.saveMask(image.rowId, modelId, { maskPath, width, height, contentHash: image.contentHash, features: result.features }, options.now())
    return 'segmented'
  }

  const images = repository.images(progress.datasetId)
  progress.total = images.length
  progress.status = 'running'
  options.emit(progress)
  for (let index = 0; index < images.length; index++) {
    if (options.shouldStop()) return 'cancelled'
    await options.beforeImage?.(index)
    if (options.shouldStop()) return 'cancelled'
    const outcome = await processImage(images[index])
    progress.done++
    if (outcome === 'cached') progress.cached++
    else if (outcome === 'failed') progress.failed++
    else segmentedThisRun++
    const seconds = (performance.now() - startedAt) / 1000
    progress.ratePerSecond = seconds > 0 ? segmentedThisRun / seconds : 0
    const remaining = progress.total - progress.done
    progress.etaSeconds = remaining === 0 ? 0 : progress.ratePerSecond > 0 ? remaining / progress.ratePerSecond : null
    if (performance.now() - lastEmit >= (options.progressIntervalMs ?? 250)) {
      lastEmit = performance.now()
      options.emit(progress)
    }
    // Between images the thread answers messages (a cancel, or IPC when this runs in-process).
    await new Promise((resolve) => setImmediate(resolve))
  }
  return 'completed'
}
