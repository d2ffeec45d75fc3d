import type { ChannelName, EventName } from './contract'
import type { IpcResult } from './envelope'

export { CHANNELS, EVENT_NAMES } from './contract'

/**
 * What the Electron preload exposes as `window.cxr`: a checked invoke over the contract's channels and one
 * event subscription. The renderer's `api` client wraps it into typed methods.
 */
export interface CxrBridge {
  invoke(channel: ChannelName, payload: unknown): Promise<IpcResult>
  /** Returns an unsubscribe function. */
  subscribe(listener: (name: EventName, payload: unknown) => void): () => void
}
