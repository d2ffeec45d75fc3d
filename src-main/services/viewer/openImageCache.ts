import { randomUUID } from 'node:crypto'
import type { DecodedImage } from '@shared/imaging/types'

/**
 * Where an open image came from: a file of a folder the user chose, or the bytes of a file the user dropped or
 * picked (browser mode has no path for those). Work that reads images from disk (Grad-CAM through a run's input
 * pipeline) needs the bytes again.
 */
export type OpenImageSource = { kind: 'file'; path: string } | { kind: 'upload'; bytes: Uint8Array }

/** One image open in the app: decoded, named as the user knows it, and where it came from. */
export interface OpenImage {
  image: DecodedImage
  /** The file name the user opened. */
  name: string
  source: OpenImageSource
}

/** The few images open in the viewer, kept decoded so follow-up work (a lung mask) needs no second upload. */
export interface OpenImageCache {
  put(image: DecodedImage, name: string, source: OpenImageSource): string
  get(key: string): DecodedImage
  entry(key: string): OpenImage
  has(key: string): boolean
  /** Called with each key the cache lets go of (to delete what was made for it). */
  onDidEvict(listener: (key: string) => void): void
}

/** Keeps the `limit` most recently opened images; older keys answer with a clear "open it again". */
export function createOpenImageCache(limit = 4): OpenImageCache {
  const images = new Map<string, OpenImage>()
  const listeners: ((key: string) => void)[] = []
  const entry = (key: string): OpenImage => {
    const open = images.get(key)
    if (!open) throw new Error('This image is no longer open in the app: open it again')
    return open
  }
  return {
    put(image, name, source) {
      const key = randomUUID()
      images.set(key, { image, name, source })
      while (images.size > limit) {
        const oldest = images.keys().next().value!
        images.delete(oldest)
        for (const listener of listeners) listener(oldest)
      }
      return key
    },
    get: (key) => entry(key).image,
    entry,
    has: (key) => images.has(key),
    onDidEvict: (listener) => void listeners.push(listener),
  }
}
