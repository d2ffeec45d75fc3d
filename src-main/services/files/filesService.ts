import { readdir, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, extname, isAbsolute, join, resolve } from 'node:path'
import type { FolderEntry, FolderGrant, FolderListing } from '@shared/files/types'
import type { SettingsStore } from '../settings/settingsStore'
import { grantRefusal, isInside, realPathOf, resolveWithin, type FolderPlaces, type ReadableScope } from './folderPolicy'
import { createGrantTickets } from './grantTickets'

/*
 * Threat model of folder grants.
 *
 * What is protected: every file outside the folders the user chose — their home's other folders, keys and
 * settings of other programs, system files, and the app's own data folder (library, pseudonym key). The main
 * process reads only inside granted folders, judged by real path at the moment of reading, so a symbolic link
 * inside a chosen folder cannot lead a read outside it.
 *
 * Who asks: the renderer. It is the app's own page, but it shows text from imported files (CSV cells, DICOM
 * tags, file names), so it must be treated as possibly compromised: nothing the page sends may by itself widen
 * what the main process reads.
 *
 * How a grant happens:
 * - Desktop app: only through the system's folder dialog, which the main process opens (`chooseFolder`). The page
 *   can ask for the dialog to appear, never name the folder: the person at the screen picks it. `grantFolder`
 *   with a path is refused.
 * - Browser mode: the main process cannot show a dialog, and it cannot tell a click in the page from a script in
 *   it; whoever holds the per-launch token is the page. So a grant is confined instead: the picker may browse
 *   only under the home folder and the folders named when the app was started (`--folder-root`), a grant needs a
 *   confirmation step carrying a single-use ticket from the picker's listing of that very folder (no other
 *   request grants anything as a side effect), the whole disk, system folders, the home folder itself, hidden
 *   folders and the data folder are refused with a plain message, and every grant is written to the terminal the
 *   app was started from, where the user sees it.
 * - The command line: the folders the user typed are the choice.
 */

/** How folders get granted: the system's dialog, the built-in picker, or a path the user typed (command line). */
export type GrantMode = 'dialog' | 'picker' | 'direct'

/** Folders the user chose, and listings for the built-in folder picker. */
export interface FilesService {
  /** A folder's entries (folders first), inside the picker's roots or a granted folder; home when no path. */
  listFolder(path?: string, showHidden?: boolean): Promise<FolderListing>
  /** The picker's confirmation step: grants the folder its listing offered, with that listing's ticket. */
  grantFolder(path: string, ticket: string): Promise<string[]>
  /** Grants a folder the user chose outside the page: the system's dialog, or the command line. */
  grantChosenFolder(path: string): Promise<string[]>
  /** The granted folders, most recent first. */
  grantedFolders(): string[]
  /**
   * The real path of `path` (symbolic links resolved) when it lies inside a granted folder; throws otherwise
   * (house rule 10). Call it right before reading, so a link swapped in later is caught too.
   * @param what how to name the path in the message ("CSV file", "image").
   */
  resolveGranted(path: string, what?: string): Promise<string>
  /** The granted folders as they are now, for a job worker to check its own reads against. */
  readableScope(): Promise<ReadableScope>
}

/** What the files service needs. */
export interface FilesServiceDeps {
  settings: SettingsStore
  mode: GrantMode
  /** The app's data folder, never grantable. */
  dataFolder: string
  /** Folders the picker may browse besides the home folder (browser mode's `--folder-root`). */
  folderRoots?: readonly string[]
  /** The home folder (tests use a temporary one). */
  home?: string
  /** Where grants are announced (the terminal in browser mode). */
  announce?: (message: string) => void
}

/** Most entries one listing returns: a folder of 100 000 DICOM files should not freeze the picker. */
export const MAX_LISTING_ENTRIES = 5000
/** Granted folders remembered; the oldest is forgotten first. */
const MAX_GRANTS = 50

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg'])
const DICOM_EXTENSIONS = new Set(['.dcm', '.dicom', '.dic', ''])
const TABLE_EXTENSIONS = new Set(['.csv', '.tsv', '.txt'])

/** Creates the files service; granted folders persist in the settings as real paths. */
export function createFilesService(deps: FilesServiceDeps): FilesService {
  const tickets = createGrantTickets()
  let places: Promise<FolderPlaces & { roots: string[] }> | undefined
  const placesOf = () =>
    (places ??= (async () => {
      const home = (await realPathOf(deps.home ?? homedir())) ?? resolve(deps.home ?? homedir())
      const dataFolder = (await realPathOf(deps.dataFolder)) ?? resolve(deps.dataFolder)
      const extra = await Promise.all((deps.mode === 'picker' ? (deps.folderRoots ?? []) : []).map(realPathOf))
      const roots = [home, ...extra.filter((root): root is string => root !== undefined)]
      return { home, dataFolder, roots: [...new Set(roots)] }
    })())
  const readableScope = async (): Promise<ReadableScope> => ({ grants: await realGrants(), dataFolder: (await placesOf()).dataFolder })
  // Granted folders as real paths, recomputed when the settings change (older versions stored paths as typed).
  let grantCache: { source: string[]; real: Promise<string[]> } | undefined
  const realGrants = () => {
    const source = deps.settings.get().grantedFolders
    if (grantCache?.source !== source) {
      grantCache = { source, real: Promise.all(source.map(realPathOf)).then((real) => real.filter((path): path is string => path !== undefined)) }
    }
    return grantCache.real
  }

  const record = async (folder: string) => {
    const granted = [folder, ...deps.settings.get().grantedFolders.filter((f) => f !== folder)].slice(0, MAX_GRANTS)
    deps.settings.update({ grantedFolders: granted })
    deps.announce?.(`Granted: the app may now read ${folder} and everything inside it.`)
    return granted
  }

  const checkedFolder = async (path: string): Promise<string> => {
    if (!isAbsolute(path)) throw new Error(`${path}: give the folder's full path`)
    const folder = await realPathOf(path)
    if (!folder) throw new Error(`${resolve(path)}: no such folder`)
    if (!(await stat(folder)).isDirectory()) throw new Error(`${resolve(path)}: not a folder`)
    return folder
  }

  const grantOffer = async (folder: string): Promise<FolderGrant> => {
    if (deps.mode !== 'picker') return { allowed: false, reason: 'In the desktop app, folders are chosen in the system’s folder dialog' }
    const refusal = grantRefusal(folder, await placesOf())
    if (refusal) return { allowed: false, reason: refusal }
    return { allowed: true, ticket: tickets.issue(folder), alreadyGranted: (await realGrants()).includes(folder) }
  }

  return {
    async listFolder(path, showHidden = false) {
      const { roots } = await placesOf()
      const folder = await checkedFolder(path ?? roots[0])
      const allowed = [...roots, ...(await realGrants())]
      const { dataFolder } = await placesOf()
      if (!allowed.some((root) => isInside(root, folder)) || isInside(dataFolder, folder)) {
        throw new Error(`${folder} is outside the folders the picker may show (${roots.join(', ')}); start the app with --folder-root to add one`)
      }
      const names = (await readdir(folder, { withFileTypes: true })).filter((entry) => showHidden || !entry.name.startsWith('.'))
      const entries: FolderEntry[] = []
      for (const entry of names.slice(0, MAX_LISTING_ENTRIES)) {
        const path = join(folder, entry.name)
        if (entry.isDirectory()) entries.push({ name: entry.name, path, kind: 'folder' })
        else if (entry.isFile()) entries.push({ name: entry.name, path, kind: 'file', role: roleOf(entry.name) })
      }
      entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name, undefined, { numeric: true }) : a.kind === 'folder' ? -1 : 1))
      const parent = dirname(folder)
      const parentShown = parent !== folder && allowed.some((root) => isInside(root, parent))
      return { path: folder, parent: parentShown ? parent : null, entries, truncated: Math.max(0, names.length - MAX_LISTING_ENTRIES), grant: await grantOffer(folder), roots }
    },
    async grantFolder(path, ticket) {
      if (deps.mode !== 'picker') throw new Error('In the desktop app, choose folders in the system’s folder dialog (the Choose folder button)')
      const folder = await checkedFolder(path)
      const refusal = grantRefusal(folder, await placesOf())
      if (refusal) throw new Error(refusal)
      if (!tickets.redeem(folder, ticket)) throw new Error(`${folder}: open this folder in the picker and confirm again (the confirmation had expired or was for another folder)`)
      return record(folder)
    },
    async grantChosenFolder(path) {
      const folder = await checkedFolder(path)
      const refusal = grantRefusal(folder, await placesOf())
      if (refusal) throw new Error(refusal)
      return record(folder)
    },
    grantedFolders() {
      return deps.settings.get().grantedFolders
    },
    async resolveGranted(path, what = 'file') {
      return resolveWithin(await readableScope(), path, what)
    },
    readableScope,
  }
}

function roleOf(name: string): FolderEntry['role'] {
  const extension = extname(name).toLowerCase()
  if (IMAGE_EXTENSIONS.has(extension)) return 'image'
  if (TABLE_EXTENSIONS.has(extension)) return 'table'
  if (DICOM_EXTENSIONS.has(extension)) return 'dicom'
  return 'other'
}
