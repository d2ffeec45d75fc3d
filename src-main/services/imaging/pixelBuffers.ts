import type { PixelBuffers } from '@shared/imaging/types'

/**
 * A pool of full-size arrays for a decoder that runs image after image (an import's files are mostly of a few
 * sizes). It keeps at most `keep` free buffers; a buffer is lent for requests of its size down to half of it, and
 * only buffers it made come back (an array from elsewhere may still be in use by its owner).
 * @param keep free buffers kept for reuse.
 */
export function createPixelBuffers(keep = 4): PixelBuffers {
  const free: ArrayBuffer[] = []
  const ours = new WeakSet<ArrayBufferLike>()
  const lend = (byteLength: number): ArrayBuffer => {
    const index = free.findIndex((buffer) => buffer.byteLength >= byteLength && buffer.byteLength <= 2 * byteLength)
    if (index >= 0) return free.splice(index, 1)[0]
    const buffer = new ArrayBuffer(byteLength)
    ours.add(buffer)
    return buffer
  }
  return {
    int32: (length) => new Int32Array(lend(4 * length), 0, length),
    float32: (length) => new Float32Array(lend(4 * length), 0, length),
    release(...arrays) {
      for (const array of arrays) {
        const buffer = array.buffer
        if (!ours.has(buffer) || free.includes(buffer as ArrayBuffer)) continue
        if (free.length < keep) free.push(buffer as ArrayBuffer)
      }
    },
  }
}
