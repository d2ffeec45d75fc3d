import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import { BackendPreferenceSchema } from '@shared/system/engineTypes'

/** User settings kept in the data folder. Unknown or broken values fall back to defaults, field by field. */
export const SettingsSchema = z.object({
  backend: BackendPreferenceSchema.catch('auto').default('auto'),
  /** Folders the user chose in the app; imports may only read inside them. */
  grantedFolders: z.array(z.string()).catch([]).default([]),
  /**
   * Show identifying data (DICOM patient names and dates, table columns of older imports) in dataset listings.
   * Off unless the user turns it on in the System page; a broken value means off.
   */
  showPhi: z.boolean().catch(false).default(false),
})
export type Settings = z.infer<typeof SettingsSchema>

/** Reads and writes `settings.json` atomically. */
export interface SettingsStore {
  get(): Settings
  update(patch: Partial<Settings>): Settings
}

/** Creates a store backed by `<dataFolder>/settings.json`; a missing or corrupt file means defaults. */
export function createSettingsStore(dataFolder: string): SettingsStore {
  const file = join(dataFolder, 'settings.json')
  let cached: Settings | undefined

  function read(): Settings {
    try {
      return SettingsSchema.parse(JSON.parse(readFileSync(file, 'utf8')))
    } catch {
      return SettingsSchema.parse({})
    }
  }

  return {
    get() {
      cached ??= read()
      return cached
    },
    update(patch) {
      const next = SettingsSchema.parse({ ...this.get(), ...patch })
      mkdirSync(dirname(file), { recursive: true })
      // Write then rename so a crash never leaves half a settings file.
      writeFileSync(`${file}.tmp`, JSON.stringify(next, null, 2))
      renameSync(`${file}.tmp`, file)
      cached = next
      return next
    },
  }
}
