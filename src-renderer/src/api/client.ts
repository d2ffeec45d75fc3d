import { contract, events, IpcCallError, type ChannelName, type CxrApi, type EventName, type EventPayload } from '@shared/ipc'
import type { z } from 'zod'
import { createBridgeTransport, takeBridgeToken } from './bridgeTransport'
import { createElectronTransport, findElectronBridge } from './electronTransport'
import type { Transport } from './transport'

/** The renderer's one door to the services: typed methods, typed events, and which transport carries them. */
export interface ApiClient {
  api: CxrApi
  transport: Transport['kind']
  /** Subscribes to one event; returns an unsubscribe function. */
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void
}

/** Wraps a transport into the typed API; answers are checked against the contract's response schemas. */
export function createApiClient(transport: Transport): ApiClient {
  const api = {} as Record<string, Record<string, (request: unknown) => Promise<unknown>>>
  for (const [service, methods] of Object.entries(contract)) {
    api[service] = {}
    for (const [method, spec] of Object.entries(methods as Record<string, { response: z.ZodType }>)) {
      const channel = `${service}.${method}` as ChannelName
      api[service][method] = async (request) => {
        const outcome = await transport.call(channel, request)
        if (!outcome.ok) throw new IpcCallError(channel, outcome.error)
        return spec.response.parse(outcome.result)
      }
    }
  }
  return {
    api: api as unknown as CxrApi,
    transport: transport.kind,
    on(name, listener) {
      return transport.subscribe((eventName, payload) => {
        if (eventName !== name) return
        const parsed = (events[name] as z.ZodType).safeParse(payload)
        if (parsed.success) listener(parsed.data as EventPayload<typeof name>)
      })
    },
  }
}

/**
 * Picks the transport at start: Electron's preload when present, else the loopback bridge with the token from
 * the URL. Without either, the page was opened without the app and says so.
 */
export function connectApi(): ApiClient {
  const bridge = findElectronBridge()
  if (bridge) return createApiClient(createElectronTransport(bridge))
  const token = takeBridgeToken(window.location, window.sessionStorage)
  if (!token) {
    throw new Error('This page needs the app: start it with `npm start` (desktop) or `npm run web` and open the URL it prints.')
  }
  return createApiClient(createBridgeTransport(token))
}

let client: ApiClient | undefined

/** The shared client, created on first use. */
export function useApi(): ApiClient {
  client ??= connectApi()
  return client
}
