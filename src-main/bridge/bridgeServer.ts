import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import type { Dispatcher } from '../ipc/dispatcher'
import type { EventHub } from '../ipc/eventHub'
import { attachConnection, type BridgeLogger } from './bridgeConnection'
import { contentSecurityPolicy } from './contentSecurityPolicy'
import { DEFAULT_BRIDGE_LIMITS, RequestBudget, type BridgeLimits, type BudgetStats } from './requestBudget'
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
  /** Memory limits; tests shrink them to exercise them cheaply. */
  limits?: Partial<BridgeLimits>
  log?: BridgeLogger
}

/** A running bridge. */
export interface BridgeServer {
  url: string
  port: number
  token: string
  /** Bytes of requests in flight now and at most so far, and how many were refused for lack of room. */
  stats(): BudgetStats & { connections: number }
  close(): Promise<void>
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

/**
 * Starts browser mode: the renderer's files over HTTP and the IPC contract over a WebSocket, on loopback only.
 * A caller needs the per-launch token (in the URL the app prints) to reach any service; pages from other
 * origins are refused by the Origin check even if they guess the port. No client can stop the server: every
 * socket and the servers themselves have error handlers, a bad connection is closed on its own, and the bytes
 * of requests held in memory are bounded (see {@link BridgeLimits}).
 */
export async function startBridgeServer(options: BridgeOptions): Promise<BridgeServer> {
  const host = options.host ?? '127.0.0.1'
  if (!LOOPBACK.has(host)) throw new Error(`Browser mode listens on loopback only; refusing host ${host}`)
  const token = options.token ?? randomBytes(24).toString('base64url')
  const limits: BridgeLimits = { ...DEFAULT_BRIDGE_LIMITS, ...options.limits }
  const log = options.log ?? console
  const budget = new RequestBudget(limits)
  const server = createServer()
  // maxPayload makes `ws` refuse an oversized frame from its header (close 1009), before any payload is buffered.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes })
  sockets.on('error', (error) => log.error(`bridge: WebSocket server error (${error.message})`))
  sockets.on('wsClientError', (error, socket) => {
    log.warn(`bridge: refused a WebSocket handshake (${error.message})`)
    socket.destroy()
  })
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

  // A client that resets its connection mid-request must cost an error line, not the process.
  server.on('clientError', (error: Error & { code?: string }, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
    if (error.code !== 'ECONNRESET') log.warn(`bridge: bad HTTP request (${error.code ?? error.message})`)
  })
  server.on('upgrade', (request, socket, head) => {
    socket.on('error', (error) => log.warn(`bridge: a socket failed (${error.message})`))
    const refusal = checkUpgrade(request, token, allowedHosts(), allowedOrigins()) ?? (sockets.clients.size >= limits.maxConnections ? '503 Service Unavailable' : undefined)
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\n\r\n`)
      return
    }
    sockets.handleUpgrade(request, socket, head, (ws) => attachConnection(ws, { dispatcher: options.dispatcher, events: options.events, budget, log }))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  port = (server.address() as AddressInfo).port
  server.on('error', (error) => log.error(`bridge: server error (${error.message})`))
  const shownHost = host === '::1' ? '[::1]' : host
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    stats: () => ({ ...budget.stats(), connections: sockets.clients.size }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate()
        sockets.close()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
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
