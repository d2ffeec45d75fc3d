import { readdir, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import type { FolderEntry, FolderListing } from '@shared/files/types'
import type { SettingsStore } from '../settings/settingsStore'

/** Folders the user chose, and listings for the built-in folder picker. */
export interface FilesService {
  /** A folder's entries (folders first), for choosing what to import. */
  listFolder(path?: string, showHidden?: boolean): Promise<FolderListing>
  /** Records that the user chose this folder; returns the granted list. */
  grantFolder(path: string): Promise<string[]>
  /** The granted folders, most recent first. */
  grantedFolders(): string[]
  /**
   * Throws unless `path` lies inside a granted folder (house rule 10): a compromised or buggy page cannot make the
   * main process read files the user never chose.
   */
  assertGranted(path: string, what?: string): string
}

/** Most entries one listing returns: a folder of 100 000 DICOM files should not freeze the picker. */
export const MAX_LISTING_ENTRIES = 5000

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg'])
const DICOM_EXTENSIONS = new Set(['.dcm', '.dicom', '.dic', ''])
const TABLE_EXTENSIONS = new Set(['.csv', '.tsv', '.txt'])

/** Creates the files service; granted folders persist in the settings. */
export function createFilesService(deps: { settings: SettingsStore }): FilesService {
  return {
    async listFolder(path, showHidden = false) {
      const folder = resolve(path ?? homedir())
      const info = await stat(folder).catch(() => undefined)
      if (!info) throw new Error(`${folder}: no such folder`)
      if (!info.isDirectory()) throw new Error(`${folder}: not a folder`)
      const names = (await readdir(folder, { withFileTypes: true })).filter((entry) => showHidden || !entry.name.startsWith('.'))
      const entries: FolderEntry[] = []
      for (const entry of names.slice(0, MAX_LISTING_ENTRIES)) {
        const path = join(folder, entry.name)
        if (entry.isDirectory()) entries.push({ name: entry.name, path, kind: 'folder' })
        else if (entry.isFile()) entries.push({ name: entry.name, path, kind: 'file', role: roleOf(entry.name) })
      }
      entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name, undefined, { numeric: true }) : a.kind === 'folder' ? -1 : 1))
      const parent = dirname(folder)
      return { path: folder, parent: parent === folder ? null : parent, entries, truncated: Math.max(0, names.length - MAX_LISTING_ENTRIES) }
    },
    async grantFolder(path) {
      const folder = resolve(path)
      const info = await stat(folder).catch(() => undefined)
      if (!info?.isDirectory()) throw new Error(`${folder}: not a folder`)
      const granted = [folder, ...deps.settings.get().grantedFolders.filter((f) => f !== folder)].slice(0, 50)
      deps.settings.update({ grantedFolders: granted })
      return granted
    },
    grantedFolders() {
      return deps.settings.get().grantedFolders
    },
    assertGranted(path, what = 'path') {
      if (!isAbsolute(path)) throw new Error(`${what} ${path} must be an absolute path`)
      const target = resolve(path)
      const inside = deps.settings.get().grantedFolders.some((root) => {
        const rel = relative(root, target)
        return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.startsWith(sep))
      })
      if (!inside) throw new Error(`${what} ${target} is not inside a folder you chose; choose its folder first`)
      return target
    },
  }
}

function roleOf(name: string): FolderEntry['role'] {
  const extension = extname(name).toLowerCase()
  if (IMAGE_EXTENSIONS.has(extension)) return 'image'
  if (TABLE_EXTENSIONS.has(extension)) return 'table'
  if (DICOM_EXTENSIONS.has(extension)) return 'dicom'
  return 'other'
}
