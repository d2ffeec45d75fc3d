import { randomUUID } from 'node:crypto'
import type { DecodedImage } from '@shared/imaging/types'

/** The few images open in the viewer, kept decoded so follow-up work (a lung mask) needs no second upload. */
export interface OpenImageCache {
  put(image: DecodedImage): string
  get(key: string): DecodedImage
}

/** Keeps the `limit` most recently opened images; older keys answer with a clear "open it again". */
export function createOpenImageCache(limit = 4): OpenImageCache {
  const images = new Map<string, DecodedImage>()
  return {
    put(image) {
      const key = randomUUID()
      images.set(key, image)
      while (images.size > limit) images.delete(images.keys().next().value!)
      return key
    },
    get(key) {
      const image = images.get(key)
      if (!image) throw new Error('This image is no longer open in the app: open it again')
      return image
    },
  }
}
