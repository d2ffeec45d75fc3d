import { decodeFrame, encodeFrame, type BridgeServerFrame, type ChannelName, type EventName, type IpcResult } from '@shared/ipc'
import type { Transport } from './transport'

const TOKEN_KEY = 'cxr.bridgeToken'

/**
 * Takes the per-launch token from the URL the server printed, keeps it for this tab only, and removes it from
 * the address bar so it does not end up in screenshots or history.
 */
export function takeBridgeToken(location: Location, storage: Storage): string | undefined {
  const url = new URL(location.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl)
    url.searchParams.delete('token')
    history.replaceState(history.state, '', url.pathname + url.search + url.hash)
    return fromUrl
  }
  return storage.getItem(TOKEN_KEY) ?? undefined
}

interface Pending {
  channel: ChannelName
  resolve: (result: IpcResult) => void
}

/**
 * Calls over the loopback WebSocket. Calls made while connecting wait for the socket; a dropped connection
 * fails the calls in flight with a transport error and reconnects with back-off.
 */
export function createBridgeTransport(token: string, host = window.location.host): Transport {
  const pending = new Map<number, Pending>()
  const listeners = new Set<(name: EventName, payload: unknown) => void>()
  let nextId = 1
  let socket: WebSocket | undefined
  let ready: Promise<WebSocket> | undefined
  let retryMs = 250

  function connect(): Promise<WebSocket> {
    ready ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://${host}/bridge?token=${encodeURIComponent(token)}`)
      ws.onopen = () => {
        socket = ws
        retryMs = 250
        resolve(ws)
      }
      ws.binaryType = 'arraybuffer'
      ws.onmessage = (message) => receive(message.data instanceof ArrayBuffer ? new Uint8Array(message.data) : String(message.data))
      ws.onclose = () => {
        socket = undefined
        ready = undefined
        for (const [id, call] of pending) {
          call.resolve({ ok: false, error: { code: 'TRANSPORT_ERROR', message: 'Connection to the app was lost' } })
          pending.delete(id)
        }
        reject(new Error('Could not connect to the app (is `npm run web` still running, and is the token current?)'))
        if (listeners.size > 0) setTimeout(() => void connect().catch(() => undefined), (retryMs = Math.min(retryMs * 2, 5000)))
      }
    })
    return ready
  }

  function receive(data: string | Uint8Array): void {
    let frame: BridgeServerFrame
    try {
      frame = decodeFrame(data) as BridgeServerFrame
    } catch {
      return
    }
    if (frame.type === 'event') {
      for (const listener of listeners) listener(frame.name as EventName, frame.payload)
    } else if (frame.type === 'result') {
      const call = pending.get(frame.id)
      if (call) {
        pending.delete(frame.id)
        call.resolve(frame.outcome)
      }
    }
  }

  return {
    kind: 'browser',
    async call(channel, payload) {
      let ws: WebSocket
      try {
        ws = socket ?? (await connect())
      } catch (error) {
        return { ok: false, error: { code: 'TRANSPORT_ERROR', message: (error as Error).message } }
      }
      const id = nextId++
      return new Promise<IpcResult>((resolve) => {
        pending.set(id, { channel, resolve })
        ws.send(encodeFrame({ type: 'call', id, channel, payload }))
      })
    },
    subscribe(listener) {
      listeners.add(listener)
      void connect().catch(() => undefined)
      return () => listeners.delete(listener)
    },
  }
}
