import { existsSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import type { Sharp, SharpOptions } from 'sharp'
import { cachePath, writeCacheFile } from './cacheFiles'

/** Longest side of a thumbnail in pixels: enough for a dataset grid, ~3 KB each as WebP. */
export const THUMBNAIL_SIZE = 128

/** Same limits as the imaging service's raster decoder, so a file the importer accepts is one training can read. */
const SHARP_OPTIONS: SharpOptions = { failOn: 'error', limitInputPixels: 2 ** 26 }

/** Small previews of images, one per content hash, in `<dataFolder>/cache/thumbnails/`. */
export interface ThumbnailCache {
  /** The cache folder. */
  readonly folder: string
  /** Where the thumbnail of this content lives (whether or not it exists yet). */
  pathOf(contentHash: string): string
  /** True when the thumbnail exists. */
  has(contentHash: string): boolean
  /**
   * Make the thumbnail of a PNG or JPEG file unless it exists. Decoding the whole file (not just its header) is
   * also what proves a truncated or corrupt file unreadable at import time.
   */
  fromFile(contentHash: string, file: string | Buffer): Promise<string>
  /** Make the thumbnail from an 8-bit greyscale display image (DICOM, after windowing) unless it exists. */
  fromGrey(contentHash: string, grey: Uint8Array | Uint8ClampedArray, width: number, height: number): Promise<string>
}

/**
 * Create the thumbnail cache of a data folder. Thumbnails are derived from content, so they are named by its
 * hash: duplicates share one, a re-import finds them all present, and a crash can only leave a missing one
 * (writes are atomic), which is made again on demand.
 * @param dataFolder the app's data folder.
 * @param size longest side in pixels.
 */
export function createThumbnailCache(dataFolder: string, size = THUMBNAIL_SIZE): ThumbnailCache {
  const folder = join(dataFolder, 'cache', 'thumbnails')
  const pathOf = (contentHash: string) => cachePath(folder, contentHash, '.webp')
  const encode = (pipeline: Sharp) =>
    pipeline.resize(size, size, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 70, effort: 2 }).toBuffer()

  return {
    folder,
    pathOf,
    has: (contentHash) => existsSync(pathOf(contentHash)),
    async fromFile(contentHash, file) {
      const path = pathOf(contentHash)
      if (!existsSync(path)) await writeCacheFile(path, await encode(sharp(file, SHARP_OPTIONS)))
      return path
    },
    async fromGrey(contentHash, grey, width, height) {
      const path = pathOf(contentHash)
      if (!existsSync(path)) {
        const raw = Buffer.from(grey.buffer, grey.byteOffset, grey.byteLength)
        await writeCacheFile(path, await encode(sharp(raw, { raw: { width, height, channels: 1 } })))
      }
      return path
    },
  }
}
