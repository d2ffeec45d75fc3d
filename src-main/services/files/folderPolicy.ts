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
