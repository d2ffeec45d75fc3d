import * as tf from '@tensorflow/tfjs'
import { resize, type GreyImage, type ResizeMode, type ResizePlacement } from '@shared/imaging/preprocess'
import { toPresentationGrey, type PresentationSource } from '@shared/imaging/presentation'
import { LUNG_POSTPROCESS_DEFAULTS, maskQualityFeatures, postprocessLungMask, type LungPostprocessOptions, type LungSegmentation } from '@shared/lung'
import { prepareUNetInput } from './unetInput'

/** Options of {@link segmentImage}. */
export interface SegmentImageOptions {
  /** How the image was fitted into the network input at training time (the model card says; default stretch). */
  resizeMode?: ResizeMode
  /** Post-processing; defaults are {@link LUNG_POSTPROCESS_DEFAULTS}. */
  postprocess?: LungPostprocessOptions
}

/** The side of a square single-channel U-Net's input, read from the model. */
export function modelInputSize(model: tf.LayersModel): number {
  const shape = model.inputs[0].shape
  const size = shape[1]
  if (shape.length !== 4 || size == null || shape[2] !== size || shape[3] !== 1) {
    throw new Error(`expected a square one-channel image input [null, n, n, 1], the model has [${shape.join(', ')}]`)
  }
  return size
}

/**
 * Lung probability for each network-sized image (values in [0, 1]), predicted in batches. Tensors are freed
 * before returning: the caller gets plain arrays.
 */
export async function predictProbabilities(model: tf.LayersModel, images: readonly GreyImage[], batchSize = 4): Promise<GreyImage[]> {
  const size = modelInputSize(model)
  const results: GreyImage[] = []
  for (let start = 0; start < images.length; start += batchSize) {
    const batch = images.slice(start, start + batchSize)
    const stacked = new Float32Array(batch.length * size * size)
    batch.forEach((image, index) => {
      if (image.width !== size || image.height !== size) throw new RangeError(`predictProbabilities: image is ${image.width}x${image.height}, the model takes ${size}x${size}`)
      stacked.set(image.data, index * size * size)
    })
    const output = tf.tidy(() => model.predict(tf.tensor4d(stacked, [batch.length, size, size, 1])) as tf.Tensor)
    try {
      const values = (await output.data()) as Float32Array
      batch.forEach((_, index) => results.push({ width: size, height: size, data: values.slice(index * size * size, (index + 1) * size * size) }))
    } finally {
      output.dispose()
    }
  }
  return results
}

/**
 * Maps a network-sized probability map back onto the radiograph: crops the placement's content rectangle (the
 * letterbox of `pad` mode carries no image) and resizes it bilinearly to the original size. Thresholding after
 * this rather than before gives smooth borders instead of network-pixel staircases.
 */
export function probabilityToImageSize(probability: GreyImage, placement: ResizePlacement, width: number, height: number): GreyImage {
  const content = new Float32Array(placement.width * placement.height)
  for (let row = 0; row < placement.height; row++) {
    const start = (placement.y + row) * probability.width + placement.x
    content.set(probability.data.subarray(start, start + placement.width), row * placement.width)
  }
  return resize({ width: placement.width, height: placement.height, data: content }, { width, height, mode: 'stretch', interpolation: 'bilinear' }).image
}

/**
 * Segments the lungs of a decoded radiograph: the classifier's input chain at the model's size, prediction,
 * mapping back to the original size, then threshold → two largest components → hole filling → 3 px blur.
 * Leaves no tensor behind.
 */
export async function segmentImage(model: tf.LayersModel, decoded: PresentationSource, options: SegmentImageOptions = {}): Promise<LungSegmentation> {
  const size = modelInputSize(model)
  const grey = toPresentationGrey(decoded)
  const { image, placement } = prepareUNetInput(grey, size, options.resizeMode ?? 'stretch')
  const [probability] = await predictProbabilities(model, [image], 1)
  const full = probabilityToImageSize(probability, placement, grey.width, grey.height)
  const { mask, blurred } = postprocessLungMask(full, { ...LUNG_POSTPROCESS_DEFAULTS, ...options.postprocess })
  return { mask, blurred, features: maskQualityFeatures(mask), inputSize: size, placement }
}
