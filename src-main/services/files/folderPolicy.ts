import { realpath } from 'node:fs/promises'
import { isAbsolute, parse, relative, resolve, sep } from 'node:path'

/**
 * Which folders may be granted at all, whoever asks. The answers are sentences a radiologist can act on: they
 * say what to choose instead.
 */

/**
 * Folders of the operating system: programs, settings, devices, logs. Nothing a study lives in, and much that
 * must never be read by an importer (password and key files, the machine's configuration).
 */
const SYSTEM_FOLDERS: readonly string[] =
  process.platform === 'win32'
    ? ['C:\\Windows', 'C:\\Program Files', 'C:\\Program Files (x86)', 'C:\\ProgramData']
    : ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/run', '/sbin', '/sys', '/usr', '/var', '/System', '/Library', '/private/etc', '/Applications']

/** The places a grant is judged against. */
export interface FolderPlaces {
  /** The user's home folder. */
  home: string
  /** The app's data folder: the library, the pseudonym key, caches. */
  dataFolder: string
}

/**
 * Why `folder` (a real path, symbolic links resolved) cannot be granted, or undefined when it can. Refused: the
 * file system's root and the system folders, the home folder itself or a folder holding it (grant the study's
 * folder, not everything), hidden folders (settings and keys of other programs live there), and the app's own
 * data folder or any folder holding it (the pseudonym key would become readable to the importer and previews).
 * @param folder the folder's real path.
 * @param places the home and data folders, as real paths.
 */
export function grantRefusal(folder: string, places: FolderPlaces): string | undefined {
  const root = parse(folder).root
  if (folder === root) return `${folder} is the whole disk; choose the folder that holds the images`
  const system = SYSTEM_FOLDERS.find((system) => isInside(system, folder) && !isInside(places.home, folder))
  if (system) return `${folder} is a system folder (${system}); choose a folder of your own that holds the images`
  if (isInside(folder, places.home)) {
    return folder === places.home
      ? `${folder} is your whole home folder; choose the folder inside it that holds the images`
      : `${folder} holds your whole home folder; choose the folder that holds the images`
  }
  if (isInside(places.dataFolder, folder) || isInside(folder, places.dataFolder)) {
    return `${folder} holds the app's own data (${places.dataFolder}); choose a folder of images outside it`
  }
  const hidden = hiddenPart(folder)
  if (hidden) return `${folder} is inside the hidden folder "${hidden}", where programs keep settings and keys; choose a folder of images`
  return undefined
}

/**
 * True when `path` is `folder` or lies under it. Both must be absolute and normalised (real paths are).
 * @param folder an absolute folder.
 * @param path an absolute path.
 */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path)
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))
}

/**
 * The real path of an absolute path (symbolic links resolved), or undefined when it does not exist.
 * @param path an absolute path.
 */
export async function realPathOf(path: string): Promise<string | undefined> {
  try {
    return await realpath(resolve(path))
  } catch {
    return undefined
  }
}

function hiddenPart(folder: string): string | undefined {
  return folder
    .slice(parse(folder).root.length)
    .split(sep)
    .find((part) => part.startsWith('.'))
}

/** The folders reads may reach, as real paths, at one moment: what a job worker checks each of its reads against. */
export interface ReadableScope {
  /** Granted folders (real paths). */
  grants: string[]
  /** The app's data folder (real path): never read as an import source. */
  dataFolder: string
}

/**
 * The real path to read for `path`, when it lies inside a granted folder (and not in the data folder); otherwise
 * a plain refusal naming the path (a link out of a chosen folder is named as such). A path that does not exist
 * is refused with `code: 'ENOENT'`.
 * @param what how to name the path in the message ("CSV file", "image").
 */
export async function resolveWithin(scope: ReadableScope, path: string, what = 'file'): Promise<string> {
  if (!isAbsolute(path)) throw new Error(`${what} ${path} must be a full path`)
  const real = await realPathOf(path)
  if (!real) throw Object.assign(new Error(`${what} ${resolve(path)} does not exist`), { code: 'ENOENT' })
  const inside = scope.grants.some((root) => isInside(root, real))
  if (inside && !isInside(scope.dataFolder, real)) return real
  if (real !== resolve(path)) {
    throw new Error(`${what} ${resolve(path)} is a link to ${real}, outside the folders you chose; the app does not follow links out of a chosen folder`)
  }
  throw new Error(`${what} ${real} is not inside a folder you chose; choose its folder first`)
}
