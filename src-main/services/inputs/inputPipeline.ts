import { access } from 'node:fs/promises'
import type { DecodedImage } from '@shared/imaging/types'
import { decodeImageFile } from '../imaging/index'
import { createPixelBuffers } from '../imaging/pixelBuffers'
import { JobFailure } from '../workers/jobIo'
import { dequantiseInput, inputCacheFile, isCached, quantiseInput, readCachedValues, writeCachedValues } from './inputCache'
import { inputSettingsKey, type InputSettings } from './inputSettings'
import type { LungMasker } from './lungMasker'
import { maskAtInput, preprocessForModel } from './networkInput'

/** One image to turn into a network input: its file, its content hash (the cache key) and how to name it in messages. */
export interface InputImage {
  path: string
  contentHash: string
  /** How a message names it, e.g. `image 17 of "COVID-ChestXRay"`. */
  description: string
}

/** A prepared input and where it came from. */
export interface PreparedInput {
  /** crop × crop floats in [0, 1]. */
  pixels: Float32Array
  cached: boolean
  /** False when `full` preprocessing found no lungs in this image (it is used unmasked, and the log says so). */
  masked: boolean
}

/** An input known to be in the cache (prepared now if it was not). */
export interface EnsuredInput {
  /** Its cache file. */
  file: string
  cached: boolean
  masked: boolean
}

/** An input that could not be made: names the file and says why in plain words. */
export class InputError extends JobFailure {
  override name = 'InputError'
}

/** Options of {@link createInputPipeline}. */
export interface InputPipelineOptions {
  dataFolder: string
  settings: InputSettings
  /** The lung model of `settings.lungModelId`; required when `settings.preprocessing` is `full`. */
  lungMasker?: LungMasker | null
  log?: (line: string) => void
}

/** Network inputs for one set of settings, through the input cache. */
export interface InputPipeline {
  readonly settings: InputSettings
  /** Key of the settings in the cache (recorded in provenance). */
  readonly settingsKey: string
  /** Side of the square input. */
  readonly size: number
  /** The input of one image: from the cache, or decoded, prepared and cached now. */
  prepare(image: InputImage): Promise<PreparedInput>
  /** Makes sure an image's input is in the cache, without reading it back when it already is. */
  ensure(image: InputImage): Promise<EnsuredInput>
  /** Where an image's input is (or will be) cached. */
  cacheFileOf(image: InputImage): string
  /** The lung mask at the network input's geometry (for the lungs-removed test), or null when no lungs are found. */
  lungsAtInput(image: InputImage): Promise<Float32Array | null>
}

/**
 * The one way the app turns a radiograph into a network input, used by runs (in their worker), prediction,
 * evaluation, feature extraction and Grad-CAM, from the app or the command line. Each prepared input is
 * cached under `<dataFolder>/cache/inputs/` by content hash and settings (lung model included), so a resumed run,
 * an evaluation of the same images and a second run with the same preprocessing all read the numbers the first
 * preparation wrote.
 */
export function createInputPipeline(options: InputPipelineOptions): InputPipeline {
  const { settings, dataFolder } = options
  const masker = options.lungMasker ?? null
  if (settings.preprocessing === 'full') {
    if (settings.lungModelId === null || masker === null) throw new InputError('full preprocessing masks the lungs, and no lung model was given')
    if (masker.ref.modelId !== settings.lungModelId) throw new InputError(`the inputs need the lung model ${settings.lungModelId}, the masker has ${masker.ref.modelId}`)
  }
  const settingsKey = inputSettingsKey(settings)
  const size = settings.input.crop
  const area = size * size
  // A preparation decodes image after image; its full-size arrays are lent and given back once the input is made.
  const pixelBuffers = createPixelBuffers()

  async function decode(image: InputImage): Promise<DecodedImage> {
    try {
      await access(image.path)
    } catch {
      throw new InputError(`the file of ${image.description} is missing: ${image.path}; re-import the dataset or rebuild the composition`)
    }
    try {
      return await decodeImageFile(image.path, { pixelBuffers })
    } catch (error) {
      throw new InputError(`could not read ${image.path} (${image.description}): ${(error as Error).message}`)
    }
  }

  async function mask(image: InputImage, decoded: DecodedImage): Promise<Float32Array | null> {
    try {
      return await masker!.mask(decoded)
    } catch (error) {
      throw new InputError(`lung segmentation of ${image.path} (${image.description}) failed: ${(error as Error).message}`)
    }
  }

  /** Decodes, masks and preprocesses one image, and caches it in its stored (quantised) form. */
  async function make(image: InputImage, file: string): Promise<{ stored: Uint16Array; masked: boolean }> {
    const decoded = await decode(image)
    let lungs: Float32Array | null = null
    let stored: Uint16Array
    try {
      if (settings.preprocessing === 'full') {
        lungs = await mask(image, decoded)
        if (lungs === null) options.log?.(`the lung model found no lungs in ${image.path} (${image.description}): it is used unmasked`)
      }
      // Quantising copies the values out, so nothing made here still points into the lent arrays.
      stored = quantiseInput(preprocessForModel(decoded, settings.preprocessing, settings.input, lungs))
    } finally {
      pixelBuffers.release(decoded.stored, decoded.pixels)
    }
    await writeCachedValues(file, stored)
    return { stored, masked: settings.preprocessing !== 'full' || lungs !== null }
  }

  return {
    settings,
    settingsKey,
    size,
    async prepare(image) {
      const file = inputCacheFile(dataFolder, image.contentHash, settingsKey)
      const stored = await readCachedValues(file, area)
      if (stored) return { pixels: dequantiseInput(stored), cached: true, masked: true }
      const made = await make(image, file)
      return { pixels: dequantiseInput(made.stored), cached: false, masked: made.masked }
    },
    async ensure(image) {
      const file = inputCacheFile(dataFolder, image.contentHash, settingsKey)
      if (isCached(file)) return { file, cached: true, masked: true }
      const made = await make(image, file)
      return { file, cached: false, masked: made.masked }
    },
    cacheFileOf: (image) => inputCacheFile(dataFolder, image.contentHash, settingsKey),
    async lungsAtInput(image) {
      if (!masker) throw new InputError('the lungs-removed test needs a lung segmentation model to find the lungs, and none is available')
      const decoded = await decode(image)
      try {
        const lungs = await mask(image, decoded)
        return lungs === null ? null : maskAtInput(lungs, decoded.width, decoded.height, settings.input)
      } finally {
        pixelBuffers.release(decoded.stored, decoded.pixels)
      }
    },
  }
}
