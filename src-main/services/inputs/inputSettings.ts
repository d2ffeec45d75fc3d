import { createHash } from 'node:crypto'
import type { InputSize, Preprocessing } from '@shared/runs/config'

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

/** Bump when the chain's code changes what it outputs, so old cache entries are not reused. */
export const INPUT_PIPELINE_VERSION = 1

/** A stable short key of the settings (also recorded in the run's provenance). */
export function inputSettingsKey(settings: InputSettings): string {
  const masked = settings.preprocessing === 'full' ? settings.lungModelId : null
  const text = JSON.stringify({ v: INPUT_PIPELINE_VERSION, p: settings.preprocessing, r: settings.input.resize, c: settings.input.crop, m: masked })
  return createHash('sha256').update(text).digest('hex').slice(0, 16)
}
