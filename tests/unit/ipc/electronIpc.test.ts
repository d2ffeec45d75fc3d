import { describe, expect, it } from 'vitest'
import { CHANNELS } from '@shared/ipc'
import { bindContractToIpcMain, forwardEvents, IPC_EVENT_CHANNEL, IPC_PREFIX, type IpcMainLike } from '../../../src-main/electronIpc'
import { createDispatcher } from '../../../src-main/ipc/dispatcher'
import { createEventHub } from '../../../src-main/ipc/eventHub'
import { createSpyHandlers, sampleEngineReport } from '../../helpers/fakeHandlers'

type Listener = Parameters<IpcMainLike['handle']>[1]

function fakeIpcMain() {
  const bound = new Map<string, Listener>()
  const ipcMain: IpcMainLike = { handle: (channel, listener) => void bound.set(channel, listener) }
  return { ipcMain, bound }
}

const appUrl = 'file:///app/out/renderer/index.html'
const fromApp = { senderFrame: { url: appUrl } }
const quiet = { warn: () => undefined, error: () => undefined }

describe('Electron transport (ipcMain binding)', () => {
  it('binds exactly the contract channels, each under the cxr: prefix', () => {
    const { ipcMain, bound } = fakeIpcMain()
    bindContractToIpcMain(ipcMain, createDispatcher(createSpyHandlers().handlers, quiet), (url) => url === appUrl)
    expect([...bound.keys()].sort()).toEqual(CHANNELS.map((c) => IPC_PREFIX + c).sort())
  })

  it('answers a valid call from an app page', async () => {
    const { ipcMain, bound } = fakeIpcMain()
    const { handlers } = createSpyHandlers()
    bindContractToIpcMain(ipcMain, createDispatcher(handlers, quiet), (url) => url === appUrl)
    const outcome = await bound.get('cxr:engine.setPreference')!(fromApp, { preference: 'wasm' })
    expect(outcome).toMatchObject({ ok: true, result: { preference: 'wasm' } })
  })

  it('rejects a malformed request before it reaches the service', async () => {
    const { ipcMain, bound } = fakeIpcMain()
    const { handlers, allSpies } = createSpyHandlers()
    bindContractToIpcMain(ipcMain, createDispatcher(handlers, quiet), (url) => url === appUrl)
    const outcome = (await bound.get('cxr:engine.setPreference')!(fromApp, { preference: 42 })) as { ok: boolean; error: { code: string } }
    expect(outcome.ok).toBe(false)
    expect(outcome.error.code).toBe('INVALID_REQUEST')
    for (const spy of allSpies()) expect(spy).not.toHaveBeenCalled()
  })

  it('rejects calls from frames that are not app pages', async () => {
    const { ipcMain, bound } = fakeIpcMain()
    const { handlers, allSpies } = createSpyHandlers()
    bindContractToIpcMain(ipcMain, createDispatcher(handlers, quiet), (url) => url === appUrl)
    for (const senderFrame of [{ url: 'https://evil.example/' }, null]) {
      const outcome = (await bound.get('cxr:system.getReport')!({ senderFrame }, {})) as { ok: boolean; error: { code: string } }
      expect(outcome.error.code).toBe('UNAUTHORIZED')
    }
    for (const spy of allSpies()) expect(spy).not.toHaveBeenCalled()
  })

  it('forwards hub events to live windows only, after checking them', () => {
    const hub = createEventHub()
    const sent: unknown[][] = []
    const live = { isDestroyed: () => false, send: (...args: unknown[]) => void sent.push(args) }
    const closed = { isDestroyed: () => true, send: () => { throw new Error('sent to a closed window') } }
    const unsubscribe = forwardEvents(hub, () => [live, closed])
    hub.emit('engine.onDidChangeBackend', sampleEngineReport)
    expect(sent).toEqual([[IPC_EVENT_CHANNEL, 'engine.onDidChangeBackend', sampleEngineReport]])
    expect(() => hub.emit('engine.onDidChangeBackend', { active: 'nonsense' } as never)).toThrow()
    unsubscribe()
    hub.emit('engine.onDidChangeBackend', sampleEngineReport)
    expect(sent).toHaveLength(1)
  })
})
