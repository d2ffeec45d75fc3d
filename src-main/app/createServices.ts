import { mkdirSync } from 'node:fs'
import { basename } from 'node:path'
import type { CxrHandlers } from '@shared/ipc'
import type { SystemReport } from '@shared/system/systemTypes'
import { createEventHub, type EventHub } from '../ipc/eventHub'
import { createEngineService, type EngineService } from '../services/engine/engineService'
import type { LibraryService } from '@shared/library/types'
import { createCompositionService, type CompositionService } from '../services/datasets/compositionService'
import { createFilesService, type FilesService } from '../services/files/filesService'
import { createLibraryService } from '../services/library'
import { createImagingService, type ImagingService } from '../services/imaging'
import { toViewerImage } from '../services/imaging/viewerImage'
import { createSettingsStore, type SettingsStore } from '../services/settings/settingsStore'
import { createSystemService, type SystemService } from '../services/system/systemService'
import { libraryHandlers } from './libraryHandlers'
import { APP_VERSION } from './version'

/** Everything the main process runs, built once per launch. */
export interface AppServices {
  dataFolder: string
  settings: SettingsStore
  engine: EngineService
  system: SystemService
  imaging: ImagingService
  files: FilesService
  library: LibraryService
  compositions: CompositionService
  events: EventHub
  /** The contract's handlers, ready for a transport to bind. */
  handlers: CxrHandlers
}

/** Options for the composition root. */
export interface AppOptions {
  dataFolder: string
  mode: SystemReport['app']['mode']
  env?: NodeJS.ProcessEnv
}

/**
 * The composition root: wires services to each other and to the contract. Electron, browser mode and the CLI all
 * call this, so the three run the same code.
 */
export function createAppServices(options: AppOptions): AppServices {
  mkdirSync(options.dataFolder, { recursive: true })
  const events = createEventHub()
  const settings = createSettingsStore(options.dataFolder)
  const engine = createEngineService({
    settings,
    env: options.env,
    onDidChangeBackend: (report) => events.emit('engine.onDidChangeBackend', report),
  })
  const system = createSystemService({ engine, dataFolder: options.dataFolder, mode: options.mode, appVersion: APP_VERSION })
  const imaging = createImagingService()
  const files = createFilesService({ settings })
  const library = createLibraryService({ dataFolder: options.dataFolder, decode: (path) => imaging.decode(path) })
  const compositions = createCompositionService({ library })
  library.onDidProgress((progress) => events.emit('library.onDidImportProgress', progress))
  const handlers: CxrHandlers = {
    system: { getReport: () => system.getReport() },
    engine: {
      getReport: () => engine.init(),
      setPreference: ({ preference }) => engine.setPreference(preference),
    },
    files: {
      listFolder: ({ path, showHidden }) => files.listFolder(path, showHidden),
      grantFolder: ({ path }) => files.grantFolder(path),
      grantedFolders: () => files.grantedFolders(),
    },
    ...libraryHandlers(library, compositions, files),
    imaging: {
      openFile: async ({ name, bytes, frame }) => toViewerImage(name, await imaging.decodeBuffer(bytes, name, { frame })),
      openPath: async ({ path, frame }) => toViewerImage(basename(path), await imaging.decode(files.assertGranted(path, 'image'), { frame })),
    },
  }
  return { dataFolder: options.dataFolder, settings, engine, system, imaging, files, library, compositions, events, handlers }
}
