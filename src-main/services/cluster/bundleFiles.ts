import { existsSync } from 'node:fs'
import { copyFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { z } from 'zod'
import { BundleError, type BundleFile } from '@shared/cluster'
import { hashFile } from '../library/hashing'

/** A file's size and SHA-256 as a bundle lists it. */
export async function describeFile(root: string, path: string, what: string): Promise<BundleFile> {
  const digest = await hashFile(join(root, path))
  return { path, bytes: digest.byteSize, sha256: digest.contentHash, what }
}

/** Copies a file into the bundle and lists it with the hash of what was written. */
export async function copyIntoBundle(from: string, root: string, path: string, what: string): Promise<BundleFile> {
  const target = join(root, path)
  await mkdir(dirname(target), { recursive: true })
  await copyFile(from, target)
  return describeFile(root, path, what)
}

/** Writes text into the bundle (through a temporary name) and lists it. */
export async function writeIntoBundle(root: string, path: string, text: string, what: string): Promise<BundleFile> {
  const target = join(root, path)
  await mkdir(dirname(target), { recursive: true })
  const temporary = `${target}.${process.pid}.tmp`
  await writeFile(temporary, text)
  await rename(temporary, target)
  return describeFile(root, path, what)
}

/** The regular files directly inside a folder (a model folder: model.json, weights, card). */
export async function filesIn(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name).sort()
}

/**
 * Checks files against their listed size and SHA-256, in order; throws naming the first one missing or changed,
 * and what it is, in words. `where` says whose files these are ("the bundle", "the results of run …").
 */
export async function verifyFiles(root: string, files: readonly BundleFile[], where: string, onFile?: (done: number, total: number) => void): Promise<void> {
  for (const [index, file] of files.entries()) {
    const path = join(root, file.path)
    if (!existsSync(path)) throw new BundleError(`${where} lacks ${file.path} (${file.what}): the copy is incomplete; copy the folder again`)
    const digest = await hashFile(path)
    if (digest.byteSize !== file.bytes || digest.contentHash !== file.sha256) {
      throw new BundleError(
        `${where}: ${file.path} (${file.what}) does not match its SHA-256 in the manifest (${digest.byteSize === file.bytes ? 'same size, different content' : `${digest.byteSize} bytes instead of ${file.bytes}`}): it was changed or damaged after it was written; copy or export it again`,
      )
    }
    onFile?.(index + 1, files.length)
  }
}

/** Reads and checks a JSON file of a bundle; a missing, unreadable or malformed file is refused naming it. */
export async function readBundleJson<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new BundleError(`${path} is missing: this folder is not ${what}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new BundleError(`${path} is not valid JSON (${(error as Error).message}): it is damaged; copy or export it again`)
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw new BundleError(`${path} is not ${what}: ${parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`).join('; ')}`)
  return parsed.data
}
