import { createHash } from 'node:crypto'
import type { InputSize, Preprocessing } from '@shared/runs/config'
import { inputCacheFile, type InputCacheLayout } from './inputCache'

/**
 * Everything that decides a network input besides the pixels: the cache key's second half, and what a run
 * records and keeps for its whole life (a resumed run prepares its inputs exactly as its first attempt did).
 */
export interface InputSettings {
  preprocessing: Preprocessing
  input: InputSize
  /** The lung model's content id (`lung-…`) when `full` preprocessing masks the lungs; null otherwise. */
  lungModelId: string | null
}

/** Bump when the chain's code changes what it outputs, so old cache entries are not reused (2: stored as 16-bit). */
export const INPUT_PIPELINE_VERSION = 2

/** A stable short key of the settings (also recorded in the run's provenance). */
export function inputSettingsKey(settings: InputSettings): string {
  const masked = settings.preprocessing === 'full' ? settings.lungModelId : null
  const text = JSON.stringify({ v: INPUT_PIPELINE_VERSION, p: settings.preprocessing, r: settings.input.resize, c: settings.input.crop, m: masked })
  return createHash('sha256').update(text).digest('hex').slice(0, 16)
}

/** The cache layout of one set of settings: which file holds an image's input. */
export function inputCacheLayout(dataFolder: string, settings: InputSettings): InputCacheLayout {
  const settingsKey = inputSettingsKey(settings)
  return { settingsKey, size: settings.input.crop, cacheFileOf: (image) => inputCacheFile(dataFolder, image.contentHash, settingsKey) }
}
