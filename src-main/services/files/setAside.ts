import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/**
 * Folders deleted by the user, kept aside for a while so "Undo" can bring them back: deleting a run or a study is
 * one click, and the hours of work behind it should not be lost to a slip.
 */
export interface SetAside {
  /** Moves `folder` aside under `id` (replacing an older deletion of the same id); nothing when it is missing. */
  put(id: string, folder: string): Promise<void>
  /** Moves it back to `folder`; false when it is no longer aside, lacks `requiredFile`, or `folder` exists again. */
  bringBack(id: string, folder: string, requiredFile: string): Promise<boolean>
  /** Deletes what was set aside longer than `olderThanMs` ago (at start: a deletion stays undoable for a while). */
  purge(olderThanMs: number): Promise<void>
}

const DELETED_AT = 'deleted-at.txt'

/** How long a deleted run or study can be brought back (it is set aside until the next start after that). */
export const UNDO_DELETE_MS = 60 * 60 * 1000

/** Keeps deleted folders in `asideFolder` (e.g. `<dataFolder>/runs-deleted`). */
export function createSetAside(asideFolder: string): SetAside {
  return {
    async put(id, folder) {
      if (!existsSync(folder)) return
      await mkdir(asideFolder, { recursive: true })
      const aside = join(asideFolder, id)
      await rm(aside, { recursive: true, force: true })
      await rename(folder, aside)
      await writeFile(join(aside, DELETED_AT), new Date().toISOString())
    },
    async bringBack(id, folder, requiredFile) {
      const aside = join(asideFolder, id)
      if (!existsSync(join(aside, requiredFile)) || existsSync(folder)) return false
      await mkdir(dirname(folder), { recursive: true })
      await rm(join(aside, DELETED_AT), { force: true })
      await rename(aside, folder)
      return true
    },
    async purge(olderThanMs) {
      if (!existsSync(asideFolder)) return
      for (const entry of await readdir(asideFolder)) {
        const aside = join(asideFolder, entry)
        const at = Date.parse(await readFile(join(aside, DELETED_AT), 'utf8').catch(() => ''))
        if (!(Date.now() - at < olderThanMs)) await rm(aside, { recursive: true, force: true })
      }
    },
  }
}
