import { describe, expect, it } from 'vitest'
import { MAX_REQUEST_BYTES } from '@shared/ipc'
import { createDispatcher } from '../../../src-main/ipc/dispatcher'
import { createSpyHandlers, sampleSystemReport } from '../../helpers/fakeHandlers'

const quiet = { warn: () => undefined, error: () => undefined }

describe('dispatcher (the gate every transport uses)', () => {
  it('passes a valid call to its handler and returns the result', async () => {
    const { handlers } = createSpyHandlers()
    const outcome = await createDispatcher(handlers, quiet).dispatch('system.getReport', {})
    expect(outcome).toEqual({ ok: true, result: sampleSystemReport })
    expect(handlers.system.getReport).toHaveBeenCalledTimes(1)
  })

  it('hands the handler the parsed request', async () => {
    const { handlers } = createSpyHandlers()
    const outcome = await createDispatcher(handlers, quiet).dispatch('engine.setPreference', { preference: 'cpu' })
    expect(outcome.ok).toBe(true)
    expect(handlers.engine.setPreference).toHaveBeenCalledWith({ preference: 'cpu' })
  })

  it.each([
    ['an unknown channel', 'system.deleteEverything'],
    ['a prototype key', 'constructor'],
    ['a nested prototype key', 'system.__proto__'],
    ['a non-string channel', 42],
    ['no channel', undefined],
  ])('rejects %s without calling any service', async (_label, channel) => {
    const { handlers, allSpies } = createSpyHandlers()
    const outcome = await createDispatcher(handlers, quiet).dispatch(channel, {})
    expect(outcome.ok).toBe(false)
    if (!outcome.ok) expect(outcome.error.code).toBe('UNKNOWN_CHANNEL')
    for (const spy of allSpies()) expect(spy).not.toHaveBeenCalled()
  })

  it.each([
    ['a wrong enum value', { preference: 'quantum' }],
    ['a missing field', {}],
    ['an extra field', { preference: 'cpu', path: '/etc/passwd' }],
    ['a string instead of an object', 'cpu'],
    ['null', null],
  ])('rejects %s with the failing field named, never reaching the service', async (_label, payload) => {
    const { handlers, allSpies } = createSpyHandlers()
    const outcome = await createDispatcher(handlers, quiet).dispatch('engine.setPreference', payload)
    expect(outcome.ok).toBe(false)
    if (!outcome.ok) {
      expect(outcome.error.code).toBe('INVALID_REQUEST')
      expect(outcome.error.message).toContain('engine.setPreference')
      expect(outcome.error.issues?.length).toBeGreaterThan(0)
    }
    for (const spy of allSpies()) expect(spy).not.toHaveBeenCalled()
  })

  it('rejects oversized payloads before parsing them', async () => {
    const { handlers, allSpies } = createSpyHandlers()
    const outcome = await createDispatcher(handlers, quiet).dispatch('system.getReport', { blob: 'x'.repeat(MAX_REQUEST_BYTES + 1) })
    expect(outcome.ok).toBe(false)
    if (!outcome.ok) expect(outcome.error.code).toBe('PAYLOAD_TOO_LARGE')
    for (const spy of allSpies()) expect(spy).not.toHaveBeenCalled()
  })

  it('rejects payloads that are not plain data', async () => {
    const { handlers } = createSpyHandlers()
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const outcome = await createDispatcher(handlers, quiet).dispatch('system.getReport', circular)
    expect(outcome.ok).toBe(false)
    if (!outcome.ok) expect(outcome.error.code).toBe('INVALID_REQUEST')
  })

  it('turns a failing service into a SERVICE_ERROR with its message, not a crash', async () => {
    const { handlers } = createSpyHandlers()
    handlers.system.getReport.mockRejectedValueOnce(new Error('database is locked'))
    const outcome = await createDispatcher(handlers, quiet).dispatch('system.getReport', {})
    expect(outcome).toEqual({ ok: false, error: { code: 'SERVICE_ERROR', message: 'database is locked' } })
  })
})
