import type { EvaluationVariant } from '@shared/evaluation/types'
import { createInputPipeline, type InputImage, type InputSettings, type LungMasker } from '../inputs'
import { JobFailure } from '../workers/jobIo'

/** Options of {@link prepareInputs}. */
export interface PrepareInputsOptions {
  dataFolder: string
  /** The inputs as the run made them (its preprocessing and lung model). */
  settings: InputSettings
  /** The run's lung model (required when `settings` masks the lungs). */
  masker: LungMasker | null
  variant: EvaluationVariant
  /** The lung model that finds the lungs to remove (`lungs-removed`): the run's own, or the one the app uses. */
  lungsMasker?: LungMasker | null
  /** Called per prepared image (the UI's progress). */
  onImage?: (done: number, total: number) => void
  /** Polled between images: true stops with an error (the caller cancelled). */
  shouldStop?: () => boolean
}

/**
 * Network inputs (crop × crop floats, row after row) for images, through the same input pipeline and cache as
 * training, so evaluation sees exactly what training saw. `lungs-removed` then multiplies each input by
 * (1 − lung mask) mapped to the input's geometry: done last, on the network input, so everything outside the
 * lungs is unchanged from the standard variant and only the lungs differ. The soft (blurred) mask is used as is:
 * a hard edge would be a new artificial cue.
 *
 * @throws Error naming the file when it cannot be read, or when a mask is needed and cannot be made.
 */
export async function prepareInputs(images: InputImage[], options: PrepareInputsOptions): Promise<Float32Array> {
  const { settings } = options
  const pipeline = createInputPipeline({ dataFolder: options.dataFolder, settings, lungMasker: options.masker })
  // A run that masked finds the lungs to remove with its own lung model; another run with the one given.
  const lungsMasker = options.masker ?? options.lungsMasker ?? null
  if (options.variant === 'lungs-removed' && !lungsMasker) {
    throw new Error('the lungs-removed test needs a lung segmentation model to find the lungs, and none is installed (train or install one: cxr train-lungs)')
  }
  const lungsPipeline = options.variant === 'lungs-removed' ? createInputPipeline({ dataFolder: options.dataFolder, settings, lungMasker: lungsMasker }) : null
  const area = pipeline.size * pipeline.size
  const inputs = new Float32Array(images.length * area)
  for (const [index, image] of images.entries()) {
    if (options.shouldStop?.()) throw new JobFailure('stopped before every input was prepared')
    const { pixels } = await pipeline.prepare(image)
    const input = Float32Array.from(pixels)
    if (lungsPipeline) {
      const lungs = await lungsPipeline.lungsAtInput(image)
      if (lungs === null) throw new Error(`the lung model found no lungs in ${image.path} (${image.description}): it cannot be tested with its lungs removed`)
      for (let i = 0; i < area; i++) input[i] *= 1 - lungs[i]
    }
    inputs.set(input, index * area)
    options.onImage?.(index + 1, images.length)
  }
  return inputs
}
