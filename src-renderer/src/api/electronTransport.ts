import type { CxrBridge } from '@shared/ipc'
import type { Transport } from './transport'

/** The preload's `window.cxr`, when the page runs inside Electron. */
export function findElectronBridge(): CxrBridge | undefined {
  return (window as unknown as { cxr?: CxrBridge }).cxr
}

/** Calls through Electron IPC. */
export function createElectronTransport(bridge: CxrBridge): Transport {
  return {
    kind: 'electron',
    call: (channel, payload) => bridge.invoke(channel, payload),
    subscribe: (listener) => bridge.subscribe(listener),
  }
}
