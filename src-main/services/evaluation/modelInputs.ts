import { centerCrop, createGreyImage, resize } from '@shared/imaging/preprocess'
import type { EvaluationVariant } from '@shared/evaluation/types'
import type { InputSize, RunConfig } from '@shared/runs/config'
import { decodeImageFile } from '../imaging/index'
import { preprocessForModel, type LungMaskFunction } from '../runs/inputPipeline'

/** What decides how a model's inputs are made: the run's configuration and the lung model it trained with (its card). */
export interface ModelInputSpec {
  config: Pick<RunConfig, 'preprocessing' | 'input'>
  /** The lung model recorded in the model card; null when training was unmasked. */
  lungMaskModelId: string | null
}

/** Options of {@link prepareInputs}. */
export interface PrepareInputsOptions {
  variant: EvaluationVariant
  lungMask?: LungMaskFunction
  /** Called per prepared image (the UI's progress). */
  onImage?: (done: number, total: number) => void
}

/**
 * Network inputs (crop × crop floats, row after row) for image files, made by the run's own
 * `preprocessForModel` so evaluation sees exactly what training saw. `lungs-removed` then multiplies each input
 * by (1 − lung mask) mapped to the input's geometry: done last, on the network input, so everything outside the
 * lungs is unchanged from the standard variant and only the lungs differ. The soft (blurred) mask is used as is:
 * a hard edge would be a new artificial cue.
 *
 * @throws Error naming the file when it cannot be decoded, or when a mask is needed and cannot be made.
 */
export async function prepareInputs(paths: string[], spec: ModelInputSpec, options: PrepareInputsOptions): Promise<Float32Array> {
  const { config } = spec
  const useMask = config.preprocessing === 'full' && spec.lungMaskModelId !== null
  const lungMask = options.lungMask
  if (useMask && !lungMask) throw new Error('this model was trained on lung-masked inputs, and no lung segmentation model is available to mask the test images')
  if (options.variant === 'lungs-removed' && !lungMask) {
    throw new Error('the lungs-removed test needs a lung segmentation model to find the lungs, and none is available (train or install one: cxr train-lungs)')
  }
  const area = config.input.crop * config.input.crop
  const inputs = new Float32Array(paths.length * area)
  for (const [index, path] of paths.entries()) {
    let decoded
    try {
      decoded = await decodeImageFile(path)
    } catch (error) {
      throw new Error(`could not decode ${path}: ${(error as Error).message}`)
    }
    const mask = useMask || options.variant === 'lungs-removed' ? await lungMask!(decoded) : null
    if (mask === null && (useMask || options.variant === 'lungs-removed')) throw new Error(`the lung model found no lungs in ${path}: it cannot be ${useMask ? 'masked as in training' : 'tested with its lungs removed'}`)
    const input = preprocessForModel(decoded, config.preprocessing, config.input, useMask ? mask : null)
    if (options.variant === 'lungs-removed') {
      const lungs = maskAtInput(mask!, decoded.width, decoded.height, config.input)
      for (let i = 0; i < area; i++) input[i] *= 1 - lungs[i]
    }
    inputs.set(input, index * area)
    options.onImage?.(index + 1, paths.length)
  }
  return inputs
}

/** A full-resolution mask resized and cropped the way `preprocessForModel` resizes and crops the image. */
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
