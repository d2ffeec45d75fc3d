import { assertGreyImage, assertPositiveSize, type GreyImage } from './greyImage'

/** Options of {@link centerCrop}. */
export interface CenterCropOptions {
  /** Width of the crop, 1..image width. */
  width: number
  /** Height of the crop, 1..image height. */
  height: number
}

/**
 * The central `width` x `height` window. Its top-left corner is
 * `floor((imageWidth - width) / 2)`, `floor((imageHeight - height) / 2)`: when the
 * margin is odd the extra pixel is dropped on the right / bottom. (torchvision rounds
 * half to even instead, which moves the window by one pixel depending on parity; a
 * fixed rule is easier to map back.) A crop larger than the image throws: padding is
 * {@link resize}'s job. Never mutates.
 */
export function centerCrop(image: GreyImage, options: CenterCropOptions): GreyImage {
  assertGreyImage(image, 'centerCrop image')
  const { width, height } = options
  assertPositiveSize(width, height, 'centerCrop size')
  if (width > image.width || height > image.height) {
    throw new RangeError(`centerCrop: a ${width}x${height} crop does not fit in a ${image.width}x${image.height} image`)
  }
  const left = Math.floor((image.width - width) / 2)
  const top = Math.floor((image.height - height) / 2)
  const output = new Float32Array(width * height)
  for (let y = 0; y < height; y++) {
    const start = (top + y) * image.width + left
    output.set(image.data.subarray(start, start + width), y * width)
  }
  return { width, height, data: output }
}
