import { mkdtempSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startBridgeServer, type BridgeServer } from '../../../src-main/bridge/bridgeServer'
import { createDispatcher } from '../../../src-main/ipc/dispatcher'
import { createEventHub } from '../../../src-main/ipc/eventHub'
import { connectBridge } from '../../helpers/bridgeClient'
import { createSpyHandlers, sampleEngineReport, sampleSystemReport } from '../../helpers/fakeHandlers'

const quiet = { warn: () => undefined, error: () => undefined }
let server: BridgeServer | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
})

async function start() {
  const root = mkdtempSync(join(tmpdir(), 'cxr-static-'))
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>')
  const spies = createSpyHandlers()
  const events = createEventHub()
  const started = await startBridgeServer({ dispatcher: createDispatcher(spies.handlers, quiet), events, staticRoot: root })
  server = started
  const socketUrl = (token = started.token) => `ws://127.0.0.1:${started.port}/bridge?token=${encodeURIComponent(token)}`
  return { ...spies, events, socketUrl, server: started }
}

function httpGet(port: number, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('bridge server (browser-mode transport)', () => {
  it('listens on loopback only and refuses any other host', async () => {
    const { server } = await start()
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/)
    await expect(
      startBridgeServer({ dispatcher: createDispatcher(createSpyHandlers().handlers), events: createEventHub(), staticRoot: '.', host: '0.0.0.0' }),
    ).rejects.toThrow(/loopback/)
  })

  it('makes a fresh token per launch', async () => {
    const first = (await start()).server.token
    await server!.close()
    const second = (await start()).server.token
    expect(first).not.toEqual(second)
  })

  it('answers a valid call with the service result', async () => {
    const { socketUrl, handlers } = await start()
    const client = await connectBridge(socketUrl())
    expect(await client.call('system.getReport', {})).toEqual({ ok: true, result: sampleSystemReport })
    expect(handlers.system.getReport).toHaveBeenCalledTimes(1)
    client.close()
  })

  it.each([
    ['no token', (url: (t?: string) => string) => url('')],
    ['a wrong token', (url: (t?: string) => string) => url('not-the-token')],
  ])('refuses a socket with %s', async (_label, makeUrl) => {
    const { socketUrl } = await start()
    await expect(connectBridge(makeUrl(socketUrl))).rejects.toThrow('401')
  })

  it('refuses a socket opened by a page of another origin, even with the token', async () => {
    const { socketUrl } = await start()
    await expect(connectBridge(socketUrl(), { Origin: 'http://evil.example' })).rejects.toThrow('403')
  })

  it('rejects unknown channels, malformed frames and invalid payloads without reaching a service', async () => {
    const { socketUrl, allSpies } = await start()
    const client = await connectBridge(socketUrl())
    const unknown = await client.call('files.readAnything', { path: '/etc/passwd' })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } })
    const invalid = await client.call('engine.setPreference', { preference: 'gpu-please' })
    expect(invalid).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } })
    const garbage = await client.sendRaw('this is not json')
    expect(garbage).toMatchObject({ type: 'result', outcome: { ok: false, error: { code: 'INVALID_REQUEST' } } })
    const wrongShape = await client.sendRaw(JSON.stringify({ type: 'call', id: 'one', channel: 'system.getReport' }))
    expect(wrongShape).toMatchObject({ type: 'result', outcome: { ok: false } })
    for (const spy of allSpies()) expect(spy).not.toHaveBeenCalled()
    client.close()
  })

  it('pushes events to connected pages', async () => {
    const { socketUrl, events } = await start()
    const client = await connectBridge(socketUrl())
    events.emit('engine.onDidChangeBackend', sampleEngineReport)
    await expect.poll(() => client.events.length).toBe(1)
    expect(client.events[0]).toEqual({ name: 'engine.onDidChangeBackend', payload: sampleEngineReport })
    client.close()
  })

  it('serves the renderer with a strict CSP, and nothing outside it', async () => {
    const { server } = await start()
    const page = await httpGet(server.port, '/')
    expect(page.status).toBe(200)
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'none'")
    expect(String(page.headers['content-security-policy'])).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost)/)
    const escape = await httpGet(server.port, '/..%2f..%2f..%2fetc%2fpasswd')
    expect(escape.body).not.toContain('root:')
  })

  it('refuses requests that name another host (DNS rebinding)', async () => {
    const { server } = await start()
    const rebinding = await httpGet(server.port, '/', 'attacker.example:80')
    expect(rebinding.status).toBe(421)
  })
})
