import { mkdtempSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { encodeFrame, type IpcResult } from '@shared/ipc'
import { startBridgeServer, type BridgeServer } from '../../../src-main/bridge/bridgeServer'
import type { BridgeLimits } from '../../../src-main/bridge/requestBudget'
import { createDispatcher, type Dispatcher } from '../../../src-main/ipc/dispatcher'
import { createEventHub } from '../../../src-main/ipc/eventHub'
import { connectBridge } from '../../helpers/bridgeClient'
import { createSpyHandlers, sampleSystemReport } from '../../helpers/fakeHandlers'
import { openRawWebSocket } from '../../helpers/rawWebSocket'

/**
 * The frames of the hardening issue, sent byte by byte: each must cost its own connection only, and the server
 * must answer the next good request. Close codes are RFC 6455's (§7.4.1): 1002 protocol error, 1007 data
 * inconsistent with the message type (invalid UTF-8 in a text frame), 1009 message too big.
 */

const warnings: string[] = []
const log = { warn: (message: string) => warnings.push(message), error: (message: string) => warnings.push(message) }
let server: BridgeServer | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
  warnings.length = 0
})

async function start(options: { dispatcher?: Dispatcher; limits?: Partial<BridgeLimits> } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'cxr-static-'))
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>')
  const dispatcher = options.dispatcher ?? createDispatcher(createSpyHandlers().handlers, log)
  server = await startBridgeServer({ dispatcher, events: createEventHub(), staticRoot: root, limits: options.limits, log })
  const url = `ws://127.0.0.1:${server.port}/bridge?token=${encodeURIComponent(server.token)}`
  return { server, url }
}

/** Proves the server is alive: a new connection gets a real answer. */
async function expectStillAnswering(url: string): Promise<void> {
  const client = await connectBridge(url)
  expect(await client.call('system.getReport', {})).toEqual({ ok: true, result: sampleSystemReport })
  client.close()
}

describe('bridge server against hostile frames', () => {
  it('closes a connection that sends a 4-byte text frame of invalid UTF-8 (1007) and keeps serving', async () => {
    const { url } = await start()
    const raw = await openRawWebSocket(url)
    raw.send({ opcode: 0x1, payload: new Uint8Array([0xff, 0xfe, 0xc0, 0x80]) })
    expect(await raw.closed).toBe(1007)
    await expectStillAnswering(url)
    expect(warnings.join('\n')).toMatch(/WS_ERR_INVALID_UTF8/)
  })

  it('closes a connection whose frame header announces 600 MiB (1009) before any payload arrives, and keeps serving', async () => {
    const { url, server } = await start()
    const raw = await openRawWebSocket(url)
    raw.send({ opcode: 0x2, announcedLength: 600 * 1024 * 1024, payload: new Uint8Array(16) })
    expect(await raw.closed).toBe(1009)
    expect(server.stats().peakInFlightBytes).toBe(0)
    await expectStillAnswering(url)
  })

  it('closes a connection that uses a reserved opcode (1002) and keeps serving', async () => {
    const { url } = await start()
    const raw = await openRawWebSocket(url)
    raw.send({ opcode: 0x3, payload: new Uint8Array([1, 2, 3]) })
    expect(await raw.closed).toBe(1002)
    await expectStillAnswering(url)
  })

  it('survives a client that hangs up halfway through a frame, and one that sends no HTTP at all', async () => {
    const { url, server } = await start()
    const raw = await openRawWebSocket(url)
    raw.send({ opcode: 0x2, announcedLength: 100_000, payload: new Uint8Array(1000) })
    raw.socket.destroy()
    const garbage = connect(server.port, '127.0.0.1')
    garbage.on('error', () => undefined)
    garbage.resume()
    garbage.end('\x00\x01\x02 not http at all\r\n\r\n')
    await new Promise((done) => garbage.on('close', done))
    await expectStillAnswering(url)
  })

  it('answers with an error when a result cannot be encoded, instead of dropping the process', async () => {
    const dispatcher: Dispatcher = { dispatch: async () => ({ ok: true, result: { count: 10n } }) }
    const { url } = await start({ dispatcher })
    const client = await connectBridge(url)
    const outcome = await client.call('system.getReport', {})
    expect(outcome).toMatchObject({ ok: false, error: { code: 'SERVICE_ERROR' } })
    client.close()
  })

  it('refuses connections beyond the limit, and serves the ones it has', async () => {
    const { url } = await start({ limits: { maxConnections: 2 } })
    const first = await connectBridge(url)
    const second = await connectBridge(url)
    await expect(connectBridge(url)).rejects.toThrow('503')
    expect(await first.call('system.getReport', {})).toMatchObject({ ok: true })
    second.close()
    first.close()
  })

  it('holds a bounded number of request bytes when many large requests arrive at once, and answers each', async () => {
    // Small limits stand for the real ones (512 MiB frames): the same accounting, at a cost a unit test can pay.
    const limits = { maxFrameBytes: 1_000_000, connectionBytes: 2_000_000, totalBytes: 3_000_000 }
    let release: () => void = () => undefined
    const gate = new Promise<void>((done) => (release = done))
    let running = 0
    let mostRunning = 0
    const dispatcher: Dispatcher = {
      async dispatch() {
        running += 1
        mostRunning = Math.max(mostRunning, running)
        await gate
        running -= 1
        return { ok: true, result: 'done' }
      },
    }
    const { url, server } = await start({ dispatcher, limits })
    const sockets = [new WebSocket(url), new WebSocket(url)]
    await Promise.all(sockets.map((ws) => new Promise((open) => ws.once('open', open))))
    const outcomes = new Map<number, IpcResult>()
    for (const ws of sockets) {
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { id: number; outcome: IpcResult }
        outcomes.set(frame.id, frame.outcome)
      })
    }
    const requests = 20
    for (let id = 0; id < requests; id++) {
      // 900 kB each: 18 MB sent at once, six times what the server may hold.
      const frame = encodeFrame({ type: 'call', id, channel: 'imaging.openFile', payload: { name: 'big.dcm', bytes: new Uint8Array(900_000) } })
      sockets[id % 2].send(frame)
    }
    await expect.poll(() => running, { timeout: 10_000 }).toBeGreaterThan(0)
    // Give the sockets time to push everything they can; the server must have stopped reading, not buffered it all.
    await new Promise((done) => setTimeout(done, 300))
    expect(server.stats().inFlightBytes).toBeLessThanOrEqual(limits.totalBytes)
    release()
    await expect.poll(() => outcomes.size, { timeout: 20_000 }).toBe(requests)
    const stats = server.stats()
    expect(stats.peakInFlightBytes).toBeLessThanOrEqual(limits.totalBytes)
    expect(mostRunning).toBeLessThanOrEqual(3)
    const answered = [...outcomes.values()].filter((outcome) => outcome.ok).length
    const refused = [...outcomes.values()].filter((outcome) => !outcome.ok && outcome.error.code === 'PAYLOAD_TOO_LARGE')
    // Backpressure queues most of them; whatever had already arrived when the budget was full is refused, by name.
    expect(answered + refused.length).toBe(requests)
    expect(answered).toBeGreaterThan(requests / 2)
    for (const outcome of refused) expect(!outcome.ok && outcome.error.message).toMatch(/still working on .* MB of earlier requests/)
    expect(stats.inFlightBytes).toBe(0)
    for (const ws of sockets) ws.close()
  })
})
