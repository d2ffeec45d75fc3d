import { open, readdir, stat } from 'node:fs/promises'
import { extname, isAbsolute, join, relative, sep } from 'node:path'
import { LibraryError } from '@shared/library/errors'

/** A file found under an import root. */
export interface FoundFile {
  /** Path relative to the root with `/` separators: the image id, identical on every platform. */
  relativePath: string
  path: string
  /** Folders from the root down to the file (empty for a file at the root). */
  folders: string[]
  fileName: string
}

/** Extensions of raster images the importer reads (through sharp). */
export const RASTER_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg'])
/** Extensions that mark a DICOM file; DICOM files often have none at all, so the content decides in the end. */
export const DICOM_EXTENSIONS = new Set(['.dcm', '.dicom', '.dic'])

/**
 * Every file under a folder, recursively, in a stable order (sorted by relative path) so a job's plan, and
 * therefore which of two identical files is "first", is the same on every run. Hidden files and folders
 * (`.DS_Store`, `.git`) are left out.
 * @param root the folder.
 * @param what how to name the folder in errors (e.g. "image folder").
 * @throws LibraryError `import-blocked` (`source-missing`) when the folder does not exist or is a file.
 */
export async function listFiles(root: string, what = 'folder'): Promise<FoundFile[]> {
  await requireFolder(root, what)
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  const files: FoundFile[] = []
  for (const entry of entries) {
    if (!entry.isFile()) continue
    // `parentPath` is Node 20.12+; `path` is its deprecated older name.
    const parent = (entry as { parentPath?: string }).parentPath ?? (entry as unknown as { path: string }).path
    const path = join(parent, entry.name)
    const relativePath = toPosix(relative(root, path))
    const parts = relativePath.split('/')
    if (parts.some((part) => part.startsWith('.'))) continue
    files.push({ relativePath, path, folders: parts.slice(0, -1), fileName: entry.name })
  }
  return files.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0))
}

/**
 * Fail with a clear message unless `path` is an existing folder.
 * @param path the folder.
 * @param what how to name it in the message.
 */
export async function requireFolder(path: string, what: string): Promise<void> {
  let isFolder = false
  try {
    isFolder = (await stat(path)).isDirectory()
  } catch {
    throw new LibraryError('import-blocked', `${what} ${path} does not exist`, [
      { code: 'source-missing', message: `${what} ${path} does not exist`, file: path },
    ])
  }
  if (!isFolder) {
    throw new LibraryError('import-blocked', `${what} ${path} is a file, not a folder`, [
      { code: 'source-missing', message: `${what} ${path} is a file, not a folder`, file: path },
    ])
  }
}

/** True for a PNG or JPEG by extension. */
export function isRasterFile(fileName: string): boolean {
  return RASTER_EXTENSIONS.has(extname(fileName).toLowerCase())
}

/**
 * True when a file starts like a DICOM Part 10 file (`DICM` after the 128-byte preamble). Files without the
 * preamble exist but are rare outside old archives; a `.dcm` extension admits them too.
 * @param path the file.
 */
export async function looksLikeDicom(path: string): Promise<boolean> {
  if (DICOM_EXTENSIONS.has(extname(path).toLowerCase())) return true
  const handle = await open(path, 'r')
  try {
    const head = Buffer.alloc(132)
    const { bytesRead } = await handle.read(head, 0, 132, 0)
    return bytesRead === 132 && head.toString('latin1', 128, 132) === 'DICM'
  } finally {
    await handle.close()
  }
}

/**
 * True when `path` is `folder` or lies under it (after resolving `..`).
 * @param folder an absolute folder.
 * @param path an absolute path.
 */
export function isInside(folder: string, path: string): boolean {
  const relativePath = relative(folder, path)
  return relativePath === '' || (!relativePath.startsWith('..') && !isAbsolute(relativePath))
}

/**
 * A relative path with `/` separators.
 * @param path a path relative to some root.
 */
export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/')
}
