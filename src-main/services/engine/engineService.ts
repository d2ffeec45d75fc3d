import { BackendNameSchema, type BackendPreference, type EngineReport } from '@shared/system/engineTypes'
import type { SettingsStore } from '../settings/settingsStore'
import { climbBackendLadder, defaultLoaders, type BackendLoader } from './backendLadder'

/** Environment variable that forces a backend (`tensorflow-gpu`, `tensorflow`, `wasm`, `cpu` or `auto`). */
export const BACKEND_ENV = 'CXR_BACKEND'

/** Chooses and runs the TensorFlow.js backend for the main process. */
export interface EngineService {
  /** Runs the ladder once; later calls return the same report. */
  init(): Promise<EngineReport>
  /** The current report; throws before `init`. */
  report(): EngineReport
  /** Saves the preference and runs the ladder again. */
  setPreference(preference: BackendPreference): Promise<EngineReport>
}

/** Dependencies of the engine service (injected so tests can swap loaders and settings). */
export interface EngineDeps {
  settings: SettingsStore
  env?: NodeJS.ProcessEnv
  loaders?: Partial<Record<keyof typeof defaultLoaders, BackendLoader>>
  onDidChangeBackend?: (report: EngineReport) => void
}

/** Creates the engine service. */
export function createEngineService(deps: EngineDeps): EngineService {
  const env = deps.env ?? process.env
  const loaders = { ...defaultLoaders, ...deps.loaders }
  let current: EngineReport | undefined
  let pending: Promise<EngineReport> | undefined

  function resolvePreference(): { preference: BackendPreference; source: EngineReport['preferenceSource'] } {
    const fromEnv = env[BACKEND_ENV]?.trim()
    if (fromEnv) {
      if (fromEnv === 'auto') return { preference: 'auto', source: 'environment' }
      const parsed = BackendNameSchema.safeParse(fromEnv)
      if (!parsed.success) {
        throw new Error(`${BACKEND_ENV}=${fromEnv} is not a backend; use one of auto, ${BackendNameSchema.options.join(', ')}`)
      }
      return { preference: parsed.data, source: 'environment' }
    }
    const saved = deps.settings.get().backend
    return saved === 'auto' ? { preference: 'auto', source: 'default' } : { preference: saved, source: 'setting' }
  }

  async function run(): Promise<EngineReport> {
    const { preference, source } = resolvePreference()
    current = await climbBackendLadder(preference, source, loaders)
    deps.onDidChangeBackend?.(current)
    return current
  }

  return {
    init() {
      pending ??= run()
      return pending
    },
    report() {
      if (!current) throw new Error('The engine has not started yet')
      return current
    },
    async setPreference(preference) {
      deps.settings.update({ backend: preference })
      pending = run()
      return pending
    },
  }
}
