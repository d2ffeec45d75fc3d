import WebSocket from 'ws'
import { decodeFrame, encodeFrame, type BridgeServerFrame, type IpcResult } from '@shared/ipc'

/** A minimal Node client for the bridge, as the renderer's transport speaks it. */
export interface TestBridgeClient {
  call(channel: unknown, payload: unknown): Promise<IpcResult>
  sendRaw(text: string): Promise<BridgeServerFrame>
  events: { name: string; payload: unknown }[]
  close(): void
}

/** Opens a socket; rejects with the HTTP status line when the server refuses the upgrade. */
export function connectBridge(url: string, headers: Record<string, string> = {}): Promise<TestBridgeClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    const waiting: ((frame: BridgeServerFrame) => void)[] = []
    const results = new Map<number, (outcome: IpcResult) => void>()
    const events: { name: string; payload: unknown }[] = []
    let nextId = 1
    ws.on('unexpected-response', (_request, response) => reject(new Error(`refused: ${response.statusCode}`)))
    ws.on('error', reject)
    ws.on('message', (data, isBinary) => {
      const frame = decodeFrame(isBinary ? (data as Buffer) : data.toString()) as BridgeServerFrame
      if (frame.type === 'event') events.push({ name: frame.name, payload: frame.payload })
      else if (results.has(frame.id)) {
        results.get(frame.id)!(frame.outcome)
        results.delete(frame.id)
      } else waiting.shift()?.(frame)
    })
    ws.on('open', () =>
      resolve({
        events,
        call(channel, payload) {
          const id = nextId++
          return new Promise((done) => {
            results.set(id, done)
            ws.send(encodeFrame({ type: 'call', id, channel, payload }))
          })
        },
        sendRaw(text) {
          return new Promise((done) => {
            waiting.push(done)
            ws.send(text)
          })
        },
        close: () => ws.close(),
      }),
    )
  })
}

/**
 * Grants a folder over the bridge the way browser mode's picker does: list it (the listing carries a single-use
 * ticket), then confirm with that ticket.
 */
export async function grantFolderOverBridge(client: TestBridgeClient, folder: string): Promise<void> {
  const listing = await client.call('files.listFolder', { path: folder })
  if (!listing.ok) throw new Error(`files.listFolder: ${listing.error.message}`)
  const grant = (listing.result as { grant: { allowed: boolean; ticket?: string; reason?: string } }).grant
  if (!grant.allowed) throw new Error(`${folder} cannot be granted: ${grant.reason}`)
  const granted = await client.call('files.grantFolder', { path: folder, ticket: grant.ticket })
  if (!granted.ok) throw new Error(`files.grantFolder: ${granted.error.message}`)
}
