import { existsSync } from 'node:fs'
import type { RunConfig } from '@shared/runs/config'
import { inputCacheFile, inputSettingsKey } from '../inputs'

/**
 * How many of these images already have a prepared input in the cache for these settings (the study estimate counts
 * only the others as work). `lungModelId` is the lung model a `full` run starting now would mask with.
 */
export function cachedInputCount(dataFolder: string, contentHashes: readonly string[], settings: Pick<RunConfig, 'preprocessing' | 'input'>, lungModelId: string | null): number {
  const key = inputSettingsKey({ preprocessing: settings.preprocessing, input: settings.input, lungModelId })
  return contentHashes.filter((hash) => existsSync(inputCacheFile(dataFolder, hash, key))).length
}
