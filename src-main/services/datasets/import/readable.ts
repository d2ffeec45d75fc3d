import { resolve } from 'node:path'
import { LibraryError } from '@shared/library/errors'

/**
 * Resolves a path the library is about to read to the path to read (its real path, symbolic links resolved) or
 * throws a plain-language refusal. The app passes the files service's check, so every read stays inside the
 * folders the user chose at the moment it happens; the command line, whose user types the paths, passes none.
 * A refusal for a path that does not exist carries `code: 'ENOENT'`.
 */
export type ReadableCheck = (path: string, what: string) => Promise<string>

/** No check: the path as given (the command line). */
export const anyReadable: ReadableCheck = async (path) => resolve(path)

/**
 * The real path of an import source, or a blocking `outside-folder` issue naming it: a refused source stops the
 * plan like a missing one, before anything is written.
 * @param readable the library's check.
 * @param path the source.
 * @param what how to name it ("CSV file", "mask folder").
 */
export async function readableSource(readable: ReadableCheck, path: string, what: string): Promise<string> {
  try {
    return await readable(path, what)
  } catch (error) {
    const message = (error as Error).message
    const code = (error as { code?: string }).code === 'ENOENT' ? 'source-missing' : 'outside-folder'
    throw new LibraryError('import-blocked', message, [{ code, file: path, message }])
  }
}
