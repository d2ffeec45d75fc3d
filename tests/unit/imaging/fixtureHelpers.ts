/**
 * Helpers for imaging tests: seeded random numbers, test images, small encoders that make
 * compressed frames with known content (JPEG Lossless SV1, 12-bit flat-block JPEG) and access to
 * the encoders shipped in the codec packages (JPEG-LS, JPEG 2000, JPEG baseline).
 */
import { isImagingError } from '@shared/imaging/errors'
import { mulberry32 } from '@shared/metrics/random'
import type { DecodedImage } from '@shared/imaging/types'

export { randomSamples } from '../../../src-main/services/imaging/fixtures/corpus'
export { encodeFlatBlockJpeg, encodeJpeg2000, encodeJpegBaseline, encodeJpegLosslessSv1, encodeJpegLs } from '../../../src-main/services/imaging/fixtures/encoders'

/** Deterministic PRNG (the project's mulberry32) so failures reproduce. */
export const seededRandom = mulberry32

/** Outcome of decoding something that may be damaged: an image, an ImagingError, or a contract breach. */
export type DecodeOutcome = { kind: 'image'; image: DecodedImage } | { kind: 'imaging-error'; code: string } | { kind: 'other'; error: unknown }

/** Run a decode with a time bound; anything but an image or an ImagingError is reported as 'other'. */
export async function decodeWithin(promise: Promise<DecodedImage>, milliseconds: number): Promise<DecodeOutcome> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`decode did not finish within ${milliseconds} ms`)), milliseconds)
  })
  try {
    const image = await Promise.race([promise, timeout])
    return { kind: 'image', image }
  } catch (error) {
    return isImagingError(error) ? { kind: 'imaging-error', code: error.code } : { kind: 'other', error }
  } finally {
    clearTimeout(timer)
  }
}

/** Copies of `bytes` with `flips` random bits inverted, avoiding the first `protect` bytes. */
export function withBitFlips(bytes: Uint8Array, flips: number, seed: number, protect = 0): Uint8Array {
  const random = seededRandom(seed)
  const copy = new Uint8Array(bytes)
  for (let i = 0; i < flips; i++) {
    const position = protect + Math.floor(random() * (copy.length - protect))
    copy[position] ^= 1 << Math.floor(random() * 8)
  }
  return copy
}

/** A damaged variant of a file, with a label for failure messages. */
export interface DamagedCopy {
  label: string
  bytes: Uint8Array
}

/**
 * Truncations at several lengths (inside the preamble, the header and the pixels) and seeded
 * random bit flips, some anywhere and some confined to the first kilobyte where the header is.
 */
export function damagedCopies(bytes: Uint8Array, seed: number, flipCopies = 6): DamagedCopy[] {
  const lengths = [0, 10, 131, 140, 400, ...[0.25, 0.5, 0.75, 0.9, 0.999].map((f) => Math.floor(bytes.length * f))]
  const copies: DamagedCopy[] = lengths.filter((l) => l < bytes.length).map((l) => ({ label: `truncated to ${l} bytes`, bytes: bytes.slice(0, l) }))
  for (let i = 0; i < flipCopies; i++) {
    const flips = [1, 4, 32][i % 3]
    copies.push({ label: `${flips} bit flips (seed ${seed + i})`, bytes: withBitFlips(bytes, flips, seed + i, 132) })
    const header = bytes.subarray(0, Math.min(bytes.length, 1024))
    const damagedHeader = new Uint8Array(bytes)
    damagedHeader.set(withBitFlips(header, flips, seed + 100 + i, 132))
    copies.push({ label: `${flips} header bit flips (seed ${seed + 100 + i})`, bytes: damagedHeader })
  }
  return copies
}
