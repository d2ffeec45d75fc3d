import { CHANNELS, EVENT_NAMES, type EventName } from '@shared/ipc'
import type { Dispatcher } from './ipc/dispatcher'
import type { EventHub } from './ipc/eventHub'

/** Prefix of every channel on Electron's IPC, so foreign messages are easy to reject. */
export const IPC_PREFIX = 'cxr:'
/** The one channel events travel on, from main to renderer. */
export const IPC_EVENT_CHANNEL = 'cxr:event'

/** The part of Electron's `ipcMain` the binding uses (injected so tests need no Electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: { senderFrame: { url: string } | null }, payload: unknown) => unknown): void
}

/** A window the main process may send events to. */
export interface EventTarget {
  isDestroyed(): boolean
  send(channel: string, name: EventName, payload: unknown): void
}

/**
 * Binds every contract channel to `ipcMain.handle`. Each call first checks that the sender is one of the app's
 * own pages (rule 10), then goes through the dispatcher, which validates the payload.
 */
export function bindContractToIpcMain(
  ipcMain: IpcMainLike,
  dispatcher: Dispatcher,
  isAppPage: (url: string) => boolean,
): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(IPC_PREFIX + channel, (event, payload) => {
      const url = event.senderFrame?.url ?? ''
      if (!isAppPage(url)) {
        return { ok: false, error: { code: 'UNAUTHORIZED', message: `Calls from ${url || 'an unknown frame'} are not allowed` } }
      }
      return dispatcher.dispatch(channel, payload)
    })
  }
}

/** Forwards hub events to the given windows; returns an unsubscribe function. */
export function forwardEvents(events: EventHub, targets: () => EventTarget[]): () => void {
  return events.subscribe((name, payload) => {
    if (!EVENT_NAMES.includes(name)) return
    for (const target of targets()) if (!target.isDestroyed()) target.send(IPC_EVENT_CHANNEL, name, payload)
  })
}
