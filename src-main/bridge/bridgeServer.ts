import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { BridgeRequestFrameSchema, decodeFrame, encodeFrame, LARGEST_REQUEST_BYTES, type BridgeServerFrame } from '@shared/ipc'
import type { Dispatcher } from '../ipc/dispatcher'
import type { EventHub } from '../ipc/eventHub'
import { contentSecurityPolicy } from './contentSecurityPolicy'
import { serveStatic } from './staticFiles'

/** Path of the bridge's WebSocket endpoint. */
export const BRIDGE_PATH = '/bridge'

/** Options for browser mode's server. */
export interface BridgeOptions {
  dispatcher: Dispatcher
  events: EventHub
  /** Folder of the built renderer (index.html and assets). */
  staticRoot: string
  host?: string
  port?: number
  /** Fixed token for tests; by default a fresh random token per launch. */
  token?: string
}

/** A running bridge. */
export interface BridgeServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

/**
 * Starts browser mode: the renderer's files over HTTP and the IPC contract over a WebSocket, on loopback only.
 * A caller needs the per-launch token (in the URL the app prints) to reach any service; pages from other
 * origins are refused by the Origin check even if they guess the port.
 */
export async function startBridgeServer(options: BridgeOptions): Promise<BridgeServer> {
  const host = options.host ?? '127.0.0.1'
  if (!LOOPBACK.has(host)) throw new Error(`Browser mode listens on loopback only; refusing host ${host}`)
  const token = options.token ?? randomBytes(24).toString('base64url')
  const server = createServer()
  const sockets = new WebSocketServer({ noServer: true, maxPayload: LARGEST_REQUEST_BYTES + 64 * 1024 })
  let port = 0

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
  const allowedOrigins = () => new Set([...allowedHosts()].map((h) => `http://${h}`))

  server.on('request', (request, response) => {
    const headers = securityHeaders(port)
    // A DNS-rebinding page would arrive with its own host name: only loopback names are served.
    if (!allowedHosts().has(request.headers.host ?? '')) {
      response.writeHead(421, headers).end('Misdirected request')
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, headers).end('Method not allowed')
      return
    }
    serveStatic(options.staticRoot, request.url ?? '/', response, headers)
  })

  server.on('upgrade', (request, socket, head) => {
    const refusal = checkUpgrade(request, token, allowedHosts(), allowedOrigins())
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\n\r\n`)
      return
    }
    sockets.handleUpgrade(request, socket, head, (ws) => attach(ws, options))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  port = (server.address() as AddressInfo).port
  const shownHost = host === '::1' ? '[::1]' : host
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate()
        sockets.close()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

function attach(ws: WebSocket, options: BridgeOptions): void {
  const send = (frame: BridgeServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(frame))
  }
  const unsubscribe = options.events.subscribe((name, payload) => send({ type: 'event', name, payload }))
  ws.on('close', unsubscribe)
  ws.on('message', async (data, isBinary) => {
    let raw: unknown
    try {
      raw = decodeFrame(isBinary ? toBytes(data) : data.toString())
    } catch {
      raw = undefined
    }
    const frame = BridgeRequestFrameSchema.safeParse(raw)
    if (!frame.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1
      send({ type: 'result', id, outcome: { ok: false, error: { code: 'INVALID_REQUEST', message: 'Malformed bridge frame: expected {type:"call", id, channel, payload}' } } })
      return
    }
    const outcome = await options.dispatcher.dispatch(frame.data.channel, frame.data.payload)
    send({ type: 'result', id: frame.data.id, outcome })
  })
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data)
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data
}

function checkUpgrade(request: IncomingMessage, token: string, hosts: Set<string>, origins: Set<string>): string | undefined {
  const url = new URL(request.url ?? '/', 'http://placeholder')
  if (url.pathname !== BRIDGE_PATH) return '404 Not Found'
  if (!hosts.has(request.headers.host ?? '')) return '421 Misdirected Request'
  const origin = request.headers.origin
  // Browsers always send Origin on WebSocket upgrades; tools like the CLI tests do not, and rely on the token.
  if (origin !== undefined && !origins.has(origin)) return '403 Forbidden'
  if (!sameToken(url.searchParams.get('token') ?? '', token)) return '401 Unauthorized'
  return undefined
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy({ bridgePort: port }),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  }
}
