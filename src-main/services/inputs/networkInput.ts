import { centerCrop, createGreyImage, preprocessChain, resize, type GreyImage } from '@shared/imaging/preprocess'
import { toPresentationGrey } from '@shared/imaging/presentation'
import type { DecodedImage } from '@shared/imaging/types'
import type { InputSize, Preprocessing } from '@shared/runs/config'

/**
 * One radiograph as the network takes it (crop × crop floats in [0, 1]), following Sec. III-B:
 * `full` equalizes, multiplies by the blurred lung mask when one is given, normalises, resizes; `equalize` does
 * the same without a mask; `raw` only scales to [0, 1] and resizes. All then keep the central crop.
 */
export function preprocessForModel(decoded: DecodedImage, preprocessing: Preprocessing, input: InputSize, mask: Float32Array | null): Float32Array {
  const grey = toPresentationGrey(decoded)
  let maskImage: GreyImage | undefined
  if (preprocessing === 'full' && mask) {
    if (mask.length !== grey.width * grey.height) throw new Error(`lung mask has ${mask.length} values, the image ${grey.width}×${grey.height}`)
    maskImage = createGreyImage(grey.width, grey.height, mask)
  }
  const { final } = preprocessChain(grey, {
    size: input.resize,
    resizeMode: 'stretch',
    equalize: preprocessing === 'raw' ? 'none' : 'global',
    mask: maskImage,
  })
  return centerCrop(final, { width: input.crop, height: input.crop }).data
}

/** A full-resolution mask resized and cropped the way {@link preprocessForModel} resizes and crops the image. */
export function maskAtInput(mask: Float32Array, width: number, height: number, input: InputSize): Float32Array {
  const shrinks = input.resize < width || input.resize < height
  const { image } = resize(createGreyImage(width, height, mask), {
    width: input.resize,
    height: input.resize,
    mode: 'stretch',
    interpolation: shrinks ? 'area' : 'bilinear',
  })
  return centerCrop(image, { width: input.crop, height: input.crop }).data
}
