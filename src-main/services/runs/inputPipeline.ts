import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { DecodedImage } from '@shared/imaging/types'
import { centerCrop, createGreyImage, preprocessChain, type GreyImage } from '@shared/imaging/preprocess'
import { toPresentationGrey } from '@shared/imaging/presentation'
import type { InputSize, Preprocessing } from '@shared/runs/config'
import { decodeImageFile } from '../imaging/index'
import type { DataPlan, PlannedImage } from './dataPlan'
import { RunFailure } from './runFailure'
import type { TensorSet } from './trainLoop'

/** A lung mask for a decoded radiograph: values in [0, 1] at the image's own width × height, or null when none could be made. */
export type LungMaskFunction = (decoded: DecodedImage) => Promise<Float32Array | null>

/** Everything that decides a network input besides the pixels: the cache key's second half. */
export interface InputSettings {
  preprocessing: Preprocessing
  input: InputSize
  /** Identifies the lung model (its weights hash); null when no mask is applied. */
  lungMaskModelId: string | null
}

/** Bump when the chain's code changes what it outputs, so old cache entries are not reused. */
const PIPELINE_VERSION = 1

/** A stable short key of the settings (also recorded in the run's provenance). */
export function inputSettingsKey(settings: InputSettings): string {
  const masked = settings.preprocessing === 'full' ? settings.lungMaskModelId : null
  const text = JSON.stringify({ v: PIPELINE_VERSION, p: settings.preprocessing, r: settings.input.resize, c: settings.input.crop, m: masked })
  return createHash('sha256').update(text).digest('hex').slice(0, 16)
}

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

/** Options of {@link loadPlanInputs}. */
export interface LoadInputsOptions {
  dataFolder: string
  settings: InputSettings
  lungMask?: LungMaskFunction
  /** After each image (prepared or read from the cache). */
  onImage?: (done: number, total: number, cached: boolean) => void
  log?: (line: string) => void
  shouldStop?: () => boolean
}

/** A plan's train and validation splits as tensors-to-be. */
export interface PlanInputs {
  train: TensorSet
  validation: TensorSet
  /** Images read from the cache, and prepared now. */
  cached: number
  prepared: number
  /** Images whose mask function returned null (trained unmasked). */
  unmasked: number
}

/**
 * Loads every image of a plan at the model input size. Each prepared input is cached under
 * `<dataFolder>/cache/inputs/` by content hash + settings, so later epochs (kept in memory), resumed runs and
 * other runs with the same preprocessing never decode again. Every file is checked to exist first, so a deleted
 * image fails the run naming the file even when its input is cached: the run's provenance must name files that exist.
 */
export async function loadPlanInputs(plan: DataPlan, options: LoadInputsOptions): Promise<PlanInputs> {
  for (const image of plan.images) {
    try {
      await access(image.path)
    } catch {
      throw new RunFailure(`image file not found: ${image.path} (image ${image.imageId} of dataset ${image.datasetId}); re-import the dataset or rebuild the composition`)
    }
  }
  const key = inputSettingsKey(options.settings)
  const size = options.settings.input.crop
  const area = size * size
  const bySplit = { train: plan.images.filter((image) => image.split === 'train'), validation: plan.images.filter((image) => image.split === 'validation') }
  const sets = {
    train: emptySet(bySplit.train.length, size),
    validation: emptySet(bySplit.validation.length, size),
  }
  const counters = { cached: 0, prepared: 0, unmasked: 0, done: 0 }
  for (const split of ['train', 'validation'] as const) {
    for (const [index, image] of bySplit[split].entries()) {
      if (options.shouldStop?.()) throw new RunFailure('cancelled while preparing inputs')
      const file = cacheFile(options.dataFolder, image.contentHash, key)
      let pixels = await readCached(file, area)
      const cached = pixels !== null
      if (pixels === null) {
        pixels = await prepareOne(image, options, counters)
        await writeCached(file, pixels)
        counters.prepared += 1
      } else {
        counters.cached += 1
      }
      sets[split].images.set(pixels, index * area)
      sets[split].labels[index] = image.label
      counters.done += 1
      options.onImage?.(counters.done, plan.images.length, cached)
    }
  }
  return { ...sets, cached: counters.cached, prepared: counters.prepared, unmasked: counters.unmasked }
}

/** Where an input is cached: two-level fan-out so no folder holds a hundred thousand files. */
export function cacheFile(dataFolder: string, contentHash: string, settingsKey: string): string {
  const key = createHash('sha256').update(`${contentHash}|${settingsKey}`).digest('hex')
  return join(dataFolder, 'cache', 'inputs', key.slice(0, 2), `${key}.f32`)
}

async function prepareOne(image: PlannedImage, options: LoadInputsOptions, counters: { unmasked: number }): Promise<Float32Array> {
  let decoded: DecodedImage
  try {
    decoded = await decodeImageFile(image.path)
  } catch (error) {
    throw new RunFailure(`could not decode ${image.path} (image ${image.imageId} of dataset ${image.datasetId}): ${(error as Error).message}`)
  }
  let mask: Float32Array | null = null
  if (options.settings.preprocessing === 'full' && options.lungMask) {
    mask = await options.lungMask(decoded)
    if (mask === null) {
      counters.unmasked += 1
      options.log?.(`no lung mask for ${image.path}: trained unmasked`)
    }
  }
  return preprocessForModel(decoded, options.settings.preprocessing, options.settings.input, mask)
}

function emptySet(count: number, size: number): TensorSet {
  return { images: new Float32Array(count * size * size), labels: new Int32Array(count), count, size }
}

async function readCached(file: string, area: number): Promise<Float32Array | null> {
  if (!existsSync(file)) return null
  const bytes = await readFile(file)
  // A truncated file (a crash mid-write on a filesystem without atomic rename) is treated as a miss.
  if (bytes.byteLength !== area * 4) return null
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
}

async function writeCached(file: string, pixels: Float32Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  await writeFile(temporary, new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength))
  await rename(temporary, file)
}
