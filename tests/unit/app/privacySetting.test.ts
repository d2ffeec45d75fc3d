import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createAppServices, type AppServices } from '../../../src-main/app/createServices'
import { createDispatcher } from '../../../src-main/ipc/dispatcher'
import { createSettingsStore } from '../../../src-main/services/settings/settingsStore'
import { temporaryFolder } from '../library/support'

const quiet = { warn: () => undefined, error: () => undefined }
const apps: AppServices[] = []
const folders: Array<{ cleanup: () => void }> = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.library.close()))
  folders.splice(0).forEach((folder) => folder.cleanup())
})

function start(options: { confirm?: () => Promise<boolean> } = {}) {
  const folder = temporaryFolder('cxr-privacy-')
  folders.push(folder)
  const app = createAppServices({ dataFolder: join(folder.path, 'data'), mode: options.confirm ? 'electron' : 'browser', home: folder.path, env: { CXR_BACKEND: 'cpu' }, confirm: options.confirm })
  apps.push(app)
  return { app, dispatcher: createDispatcher(app.handlers, quiet) }
}

describe('showing identifying data', () => {
  it('is a setting, off by default, that no request can override', async () => {
    const { app, dispatcher } = start()
    expect(await dispatcher.dispatch('system.privacy', {})).toEqual({ ok: true, result: { showPhi: false } })
    for (const [channel, payload] of [
      ['library.listDatasets', { includePhi: true }],
      ['library.getDataset', { datasetId: 'any', includePhi: true }],
      ['library.listImages', { datasetId: 'any', includePhi: true }],
    ] as const) {
      expect(await dispatcher.dispatch(channel, payload)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', message: expect.stringMatching(/includePhi/) } })
    }
    expect(await dispatcher.dispatch('system.setShowPhi', { show: true })).toEqual({ ok: true, result: { showPhi: true } })
    expect(createSettingsStore(app.dataFolder).get().showPhi).toBe(true)
    expect(await dispatcher.dispatch('system.setShowPhi', { show: false })).toEqual({ ok: true, result: { showPhi: false } })
  })

  it('in the desktop app, turns on only when the user confirms in the main process', async () => {
    let answer = false
    const { dispatcher } = start({ confirm: async () => answer })
    expect(await dispatcher.dispatch('system.setShowPhi', { show: true })).toEqual({ ok: true, result: { showPhi: false } })
    answer = true
    expect(await dispatcher.dispatch('system.setShowPhi', { show: true })).toEqual({ ok: true, result: { showPhi: true } })
  })
})
