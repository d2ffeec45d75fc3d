import type { z } from 'zod'
import {
  events,
  findChannel,
  MAX_REQUEST_BYTES,
  measurePayload,
  type CxrHandlers,
  type EventName,
  type EventPayload,
  type IpcError,
  type IpcResult,
} from '@shared/ipc'
import { describeIssues, plainIssues } from '@shared/ipc/plainErrors'

/** Receives calls from any transport and answers with an envelope; the one gate every request passes. */
export interface Dispatcher {
  dispatch(channel: unknown, payload: unknown): Promise<IpcResult>
}

/** Logs what the gate rejected or what failed inside a service. */
export interface DispatchLogger {
  warn(message: string): void
  error(message: string): void
}

/**
 * Builds the gate of rule 10: the channel must be in the contract, the payload must be small and must pass the
 * channel's schema, and only then does a handler run. Handler errors come back as SERVICE_ERROR with their message,
 * so the renderer can show it and the app keeps running.
 */
export function createDispatcher(handlers: CxrHandlers, log: DispatchLogger = console): Dispatcher {
  return {
    async dispatch(channel, payload) {
      const found = findChannel(channel)
      if (!found) {
        const name = typeof channel === 'string' ? channel.slice(0, 80) : typeof channel
        log.warn(`rejected call to unknown channel ${JSON.stringify(name)}`)
        return failure({ code: 'UNKNOWN_CHANNEL', message: `Unknown channel ${JSON.stringify(name)}` })
      }
      const size = measurePayload(payload)
      if (size === undefined) {
        return failure({ code: 'INVALID_REQUEST', message: `${String(channel)}: the request is not plain data` })
      }
      const limit = found.spec.maxRequestBytes ?? MAX_REQUEST_BYTES
      if (size > limit) {
        return failure({ code: 'PAYLOAD_TOO_LARGE', message: `${String(channel)}: request of ${size} bytes exceeds ${limit}` })
      }
      const parsed = found.spec.request.safeParse(payload)
      if (!parsed.success) {
        // Each issue keeps its path (for logs and tests) and says why in words; the page names the field itself.
        const issues = plainIssues(parsed.error.issues)
        log.warn(`rejected ${String(channel)}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`)
        return failure({
          code: 'INVALID_REQUEST',
          message: `${String(channel)}: invalid request (${describeIssues(issues).join(' ')})`,
          issues,
        })
      }
      const service = handlers[found.service] as Record<string, (request: unknown) => unknown>
      try {
        const result = await service[found.method](parsed.data)
        return { ok: true, result }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        log.error(`${String(channel)} failed: ${message}`)
        return failure({ code: 'SERVICE_ERROR', message })
      }
    },
  }
}

/** Checks an event payload against its schema before it leaves the main process. */
export function checkEvent<E extends EventName>(name: E, payload: EventPayload<E>): EventPayload<E> {
  return (events[name] as z.ZodType).parse(payload) as EventPayload<E>
}

function failure(error: IpcError): IpcResult {
  return { ok: false, error }
}
