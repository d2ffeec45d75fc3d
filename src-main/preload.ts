/**
 * The renderer's only door to the main process: `window.cxr` with two functions. Channels and event names are
 * checked against the contract here too, so a compromised page cannot reach any other IPC message.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { CHANNELS, EVENT_NAMES, type CxrBridge } from '@shared/ipc/bridgeApi'

const bridge: CxrBridge = {
  invoke(channel, payload) {
    if (!CHANNELS.includes(channel)) return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `Unknown channel ${String(channel)}` } })
    return ipcRenderer.invoke(`cxr:${channel}`, payload)
  },
  subscribe(listener) {
    const handler = (_event: unknown, name: unknown, payload: unknown) => {
      if (typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name)) listener(name as (typeof EVENT_NAMES)[number], payload)
    }
    ipcRenderer.on('cxr:event', handler)
    return () => {
      ipcRenderer.removeListener('cxr:event', handler)
    }
  },
}

contextBridge.exposeInMainWorld('cxr', bridge)
