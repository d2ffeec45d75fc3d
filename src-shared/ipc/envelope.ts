import { z } from 'zod'
import { plainErrorMessage } from './plainErrors'

/** Why a call failed, in terms the UI can act on. */
export const IpcErrorCodeSchema = z.enum([
  'UNKNOWN_CHANNEL',
  'INVALID_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHORIZED',
  'SERVICE_ERROR',
  'TRANSPORT_ERROR',
])
export type IpcErrorCode = z.infer<typeof IpcErrorCodeSchema>

export const IpcErrorSchema = z.object({
  code: IpcErrorCodeSchema,
  message: z.string(),
  /** For INVALID_REQUEST: the fields that failed and why. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
})
export type IpcError = z.infer<typeof IpcErrorSchema>

/** A call's outcome as it crosses a transport: errors travel as data so nothing is lost in serialisation. */
export type IpcResult<T = unknown> = { ok: true; result: T } | { ok: false; error: IpcError }

export const IpcResultSchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: IpcErrorSchema }),
])

/** Bridge frames (browser mode): requests from the page, answers and events from the server. */
export const BridgeRequestFrameSchema = z.object({
  type: z.literal('call'),
  id: z.number().int().nonnegative(),
  channel: z.string().max(200),
  payload: z.unknown(),
})
export type BridgeRequestFrame = z.infer<typeof BridgeRequestFrameSchema>

export type BridgeServerFrame =
  | { type: 'result'; id: number; outcome: IpcResult }
  | { type: 'event'; name: string; payload: unknown }

/**
 * Raised on the calling side when a call comes back with an error. Its message is what the page shows, in plain
 * words (see plainErrors.ts); the channel and the service's raw message stay on the error for logs.
 */
export class IpcCallError extends Error {
  readonly code: IpcErrorCode
  readonly issues: IpcError['issues']
  readonly channel: string
  readonly detail: string
  constructor(channel: string, error: IpcError) {
    super(plainErrorMessage(error))
    this.name = 'IpcCallError'
    this.code = error.code
    this.issues = error.issues
    this.channel = channel
    this.detail = error.message
  }
}

/** Largest request payload accepted, in bytes of JSON: requests carry ids and settings, never pixels. */
export const MAX_REQUEST_BYTES = 1_000_000
