import type { WebSocket } from 'ws'
import { BridgeRequestFrameSchema, decodeFrame, encodeFrame, type BridgeServerFrame, type IpcResult } from '@shared/ipc'
import type { Dispatcher } from '../ipc/dispatcher'
import type { EventHub } from '../ipc/eventHub'
import type { BudgetAccount, RequestBudget } from './requestBudget'

/** Where the bridge reports what it refused or what failed. */
export interface BridgeLogger {
  warn(message: string): void
  error(message: string): void
}

/** What one connection needs from the server. */
export interface ConnectionContext {
  dispatcher: Dispatcher
  events: EventHub
  budget: RequestBudget
  log: BridgeLogger
}

/** The largest text frame worth decoding: JSON requests (no typed arrays) are far below it on every channel. */
export const MAX_TEXT_FRAME_BYTES = 64 * 1024 * 1024

/**
 * Serves one page's socket: each message is admitted against the byte budget, decoded, dispatched and answered
 * with its id. Nothing a client sends can end the process: protocol errors (invalid UTF-8, a reserved opcode, a
 * frame over the limit) arrive as the socket's `error` event, after which `ws` closes that socket with the
 * matching close code (1007, 1002, 1009); every other failure becomes an error answer.
 * @returns the connection's budget account.
 */
export function attachConnection(ws: WebSocket, context: ConnectionContext): BudgetAccount {
  const { budget, log } = context
  const account = budget.open({ pause: () => ws.pause(), resume: () => ws.resume() })
  const unsubscribe = context.events.subscribe((name, payload) => send(ws, { type: 'event', name, payload }, log))
  ws.on('error', (error: Error & { code?: string }) => log.warn(`bridge: closed a connection after a protocol error (${error.code ?? error.message})`))
  ws.on('close', () => {
    unsubscribe()
    budget.close(account)
  })
  ws.on('message', (data, isBinary) => {
    const bytes = toBytes(data)
    if (!budget.admit(account, bytes.byteLength)) {
      const { inFlightBytes } = budget.stats()
      const message = `The app is still working on ${megabytes(inFlightBytes)} of earlier requests; this request of ${megabytes(bytes.byteLength)} was refused. Try again when they finish.`
      log.warn(`bridge: ${message}`)
      send(ws, { type: 'result', id: frameId(bytes, isBinary), outcome: { ok: false, error: { code: 'PAYLOAD_TOO_LARGE', message } } }, log)
      return
    }
    void answer(ws, bytes, isBinary, context).finally(() => budget.release(account, bytes.byteLength))
  })
  return account
}

async function answer(ws: WebSocket, bytes: Uint8Array, isBinary: boolean, context: ConnectionContext): Promise<void> {
  let id = -1
  try {
    const raw = decode(bytes, isBinary)
    id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1
    const frame = BridgeRequestFrameSchema.safeParse(raw)
    if (!frame.success) {
      send(ws, failure(id, 'INVALID_REQUEST', 'Malformed bridge frame: expected {type:"call", id, channel, payload}'), context.log)
      return
    }
    const outcome = await context.dispatcher.dispatch(frame.data.channel, frame.data.payload)
    if (!(await sendAndWait(ws, { type: 'result', id: frame.data.id, outcome }, context.log))) {
      send(ws, failure(id, 'SERVICE_ERROR', `${frame.data.channel}: the answer could not be sent; see the app's log`), context.log)
    }
  } catch (error) {
    // The dispatcher answers service errors itself; this is a bug in the bridge or an answer that cannot be encoded.
    context.log.error(`bridge: request ${id} failed: ${(error as Error).message}`)
    send(ws, failure(id, 'SERVICE_ERROR', 'The app could not answer this request; see its log'), context.log)
  }
}

function decode(bytes: Uint8Array, isBinary: boolean): unknown {
  try {
    if (isBinary) return decodeFrame(bytes)
    // `ws` has already checked the text is UTF-8; a giant text frame is refused rather than made into a string.
    if (bytes.byteLength > MAX_TEXT_FRAME_BYTES) return undefined
    return decodeFrame(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))
  } catch {
    return undefined
  }
}

/** The id of a refused request, read without decoding a possibly huge body (0 when it cannot be found cheaply). */
function frameId(bytes: Uint8Array, isBinary: boolean): number {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 256)).toString('latin1')
  const match = /"id"\s*:\s*(\d{1,15})/.exec(isBinary ? head.slice(4) : head)
  return match ? Number(match[1]) : -1
}

function failure(id: number, code: 'INVALID_REQUEST' | 'SERVICE_ERROR', message: string): BridgeServerFrame {
  const outcome: IpcResult = { ok: false, error: { code, message } }
  return { type: 'result', id, outcome }
}

function send(ws: WebSocket, frame: BridgeServerFrame, log: BridgeLogger): void {
  void sendAndWait(ws, frame, log)
}

/**
 * Sends a frame and resolves once it has left, so a large answer counts against the budget until then.
 * Resolves false when the frame cannot be encoded (a value JSON cannot carry).
 */
function sendAndWait(ws: WebSocket, frame: BridgeServerFrame, log: BridgeLogger): Promise<boolean> {
  if (ws.readyState !== ws.OPEN) return Promise.resolve(true)
  let encoded: string | Uint8Array
  try {
    encoded = encodeFrame(frame)
  } catch (error) {
    log.error(`bridge: an answer could not be encoded (${(error as Error).message})`)
    return Promise.resolve(false)
  }
  return new Promise((resolve) => {
    ws.send(encoded, (error) => {
      if (error) log.warn(`bridge: an answer was not delivered (${error.message})`)
      resolve(true)
    })
  })
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data)
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(bytes < 10_000_000 ? 1 : 0)} MB`
}
