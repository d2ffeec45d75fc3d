import type { SystemReport } from '@shared/system/systemTypes'
import type { EngineService } from '../engine/engineService'
import { APP_NAME } from './dataFolder'
import { describeMachine } from './machineInfo'
import { collectVersions } from './versions'

/** Describes the app, the machine and the engine. */
export interface SystemService {
  getReport(): Promise<SystemReport>
}

/** Dependencies of the system service. */
export interface SystemDeps {
  engine: EngineService
  dataFolder: string
  mode: SystemReport['app']['mode']
  appVersion: string
}

/** Creates the system service. */
export function createSystemService(deps: SystemDeps): SystemService {
  return {
    async getReport() {
      const engine = await deps.engine.init()
      return {
        app: { name: APP_NAME, version: deps.appVersion, mode: deps.mode },
        engine,
        machine: await describeMachine(),
        versions: collectVersions(),
        dataFolder: deps.dataFolder,
      }
    },
  }
}
