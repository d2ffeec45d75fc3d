import { resize } from '@shared/imaging/preprocess'
import { MASK_INSIDE, type BinaryMask } from '@shared/lung'
import { decodeImageFile } from '../../imaging/index'

/** Largest relative aspect-ratio difference accepted between a mask and its image (as `readMaskFile`). */
const ASPECT_TOLERANCE = 0.01

/**
 * Reads a lung mask: each file is decoded and binarized at half its format's maximum (a 0/255 PNG → > 127),
 * and several files (left + right lung) are merged by union. All files must have the same size.
 */
export async function readBinaryMask(paths: readonly string[]): Promise<BinaryMask> {
  if (paths.length === 0) throw new Error('readBinaryMask: no mask file given')
  let merged: BinaryMask | undefined
  for (const path of paths) {
    const decoded = await decodeImageFile(path)
    const half = (2 ** decoded.bitsStored - 1) / 2
    if (!merged) merged = { width: decoded.width, height: decoded.height, data: new Uint8Array(decoded.width * decoded.height) }
    else if (merged.width !== decoded.width || merged.height !== decoded.height) {
      throw new Error(`${path} is ${decoded.width}x${decoded.height} but ${paths[0]} is ${merged.width}x${merged.height}: mask halves must match`)
    }
    const data = merged.data
    for (let index = 0; index < data.length; index++) if (decoded.pixels[index] > half) data[index] = MASK_INSIDE
  }
  return merged as BinaryMask
}

/**
 * Brings a mask to its image's size: as is when the sizes match, resampled by nearest neighbour when only the
 * resolution differs, and rejected (with the reason) when the aspect ratio differs, because then the mask was
 * drawn on another crop of the picture and would teach the network misplaced lungs.
 */
export function fitMaskToImage(mask: BinaryMask, width: number, height: number): { mask: BinaryMask } | { reason: string } {
  if (mask.width === width && mask.height === height) return { mask }
  if (Math.abs(mask.width / mask.height / (width / height) - 1) > ASPECT_TOLERANCE) {
    return { reason: `mask is ${mask.width}x${mask.height} but the image is ${width}x${height}: different aspect ratio, so a different crop` }
  }
  const grey = { width: mask.width, height: mask.height, data: Float32Array.from(mask.data) }
  const resized = resize(grey, { width, height, mode: 'stretch', interpolation: 'nearest' }).image
  return { mask: { width, height, data: Uint8Array.from(resized.data) } }
}
