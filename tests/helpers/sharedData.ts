import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

/** Root of the read-only shared data (`../shared/data` beside the checkout); CXR_SHARED_DATA overrides it. */
export const SHARED_DATA = resolve(process.env.CXR_SHARED_DATA ?? join(here, '..', '..', '..', 'shared', 'data'))

/** True when the shared data folder (or one sub-folder of it) is present. */
export function hasSharedData(sub = ''): boolean {
  return existsSync(join(SHARED_DATA, sub))
}

/** The path of a file or folder inside the shared data. */
export function sharedPath(...parts: string[]): string {
  return join(SHARED_DATA, ...parts)
}

/** Why a data-dependent test is skipped: printed so a skip is never silent. */
export function missingDataReason(sub = ''): string {
  return `skipped: ${join(SHARED_DATA, sub)} is absent (CI has ../shared/data beside the checkout)`
}
