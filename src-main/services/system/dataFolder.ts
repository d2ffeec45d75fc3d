import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/** Environment variable that moves the data folder (database, caches, settings, runs). */
export const DATA_FOLDER_ENV = 'CXR_DATA_DIR'

/** The product name, which also names the data folder, as Electron's `app.getPath('userData')` would. */
export const APP_NAME = 'CXR Workstation'

/**
 * Where the app keeps its data: an explicit flag wins, then the environment variable, then the platform's
 * user-data folder — the same folder Electron uses, so browser mode, the CLI and the desktop app share one library.
 */
export function resolveDataFolder(explicit?: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (explicit) return resolve(explicit)
  if (env[DATA_FOLDER_ENV]) return resolve(env[DATA_FOLDER_ENV]!)
  const home = homedir()
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_NAME)
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME)
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), APP_NAME)
}
