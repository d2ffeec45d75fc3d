import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/**
 * Path of a content-addressed cache file: `<cacheFolder>/<first two hex digits>/<hash><extension>`. The fan-out
 * keeps folders small (RSNA has 26 684 images), and the hash in the name makes every write idempotent.
 * @param cacheFolder a folder under `<dataFolder>/cache`.
 * @param contentHash lower-case hex hash.
 * @param extension with its dot, e.g. `.webp`.
 */
export function cachePath(cacheFolder: string, contentHash: string, extension: string): string {
  return join(cacheFolder, contentHash.slice(0, 2), `${contentHash}${extension}`)
}

/**
 * Write a cache file atomically: to a temporary name, then renamed. A crash leaves either no file or the whole
 * file, never a truncated one that later reads would trust. An existing file is kept (same name, same content).
 * @param path the final path.
 * @param bytes the content.
 */
export async function writeCacheFile(path: string, bytes: Uint8Array): Promise<void> {
  if (existsSync(path)) return
  const temporary = `${path}.${randomUUID()}.tmp`
  try {
    await mkdir(dirname(path), { recursive: true })
    await writeFile(temporary, bytes)
    await rename(temporary, path)
  } catch (error) {
    await rm(temporary, { force: true })
    throw new CacheWriteError(path, error)
  }
}

/**
 * A cache file could not be written (disk full, no permission on the data folder). Distinct from errors reading
 * a source image: those fail one file, this fails the job (resumable once there is room).
 */
export class CacheWriteError extends Error {
  override readonly name = 'CacheWriteError'

  /**
   * @param path the cache file.
   * @param cause the file system's error.
   */
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`cannot write the cache file ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
  }
}
