import type { ChannelName, EventName, IpcResult } from '@shared/ipc'

/** How calls reach the main process: Electron's preload or the loopback bridge. */
export interface Transport {
  readonly kind: 'electron' | 'browser'
  call(channel: ChannelName, payload: unknown): Promise<IpcResult>
  /** Returns an unsubscribe function. */
  subscribe(listener: (name: EventName, payload: unknown) => void): () => void
}
