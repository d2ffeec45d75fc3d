import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'

/** One frame as the raw client sends it; `announcedLength` lets a test lie about the payload's size. */
export interface RawFrame {
  opcode: number
  payload?: Uint8Array
  fin?: boolean
  announcedLength?: number
}

/** A WebSocket client that writes frames byte by byte, to send what no well-behaved library would. */
export interface RawWebSocket {
  send(frame: RawFrame): void
  /** Resolves with the server's close code once it closes the connection (or 1006 when it just hangs up). */
  closed: Promise<number>
  socket: Socket
}

/**
 * Opens a socket to a bridge URL, performs the HTTP upgrade by hand and returns a client that writes raw frames.
 * @param url a `ws://127.0.0.1:PORT/bridge?token=…` URL.
 */
export function openRawWebSocket(url: string): Promise<RawWebSocket> {
  const target = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname)
    let buffer = Buffer.alloc(0)
    let upgraded = false
    let closeCode: number | undefined
    let settleClosed: (code: number) => void = () => undefined
    const closed = new Promise<number>((done) => (settleClosed = done))
    socket.on('error', (error) => (upgraded ? settleClosed(closeCode ?? 1006) : reject(error)))
    socket.on('close', () => settleClosed(closeCode ?? 1006))
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk])
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = buffer.subarray(0, end).toString('latin1')
        buffer = buffer.subarray(end + 4)
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`refused: ${head.split('\r\n')[0]}`))
        upgraded = true
        resolve({ send: (frame) => socket.write(encodeRawFrame(frame)), closed, socket })
      }
      // Server frames are unmasked; only the close frame's code matters here.
      while (buffer.length >= 2) {
        const opcode = buffer[0] & 0x0f
        let length = buffer[1] & 0x7f
        let offset = 2
        if (length === 126) [length, offset] = [buffer.readUInt16BE(2), 4]
        else if (length === 127) [length, offset] = [Number(buffer.readBigUInt64BE(2)), 10]
        if (buffer.length < offset + length) return
        if (opcode === 0x8 && length >= 2) closeCode = buffer.readUInt16BE(offset)
        buffer = buffer.subarray(offset + length)
      }
    })
    socket.write(
      [
        `GET ${target.pathname}${target.search} HTTP/1.1`,
        `Host: ${target.host}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    )
  })
}

/** Encodes a masked client frame; the header announces `announcedLength` when given, else the payload's size. */
export function encodeRawFrame(frame: RawFrame): Buffer {
  const payload = Buffer.from(frame.payload ?? new Uint8Array(0))
  const length = frame.announcedLength ?? payload.length
  const header: number[] = [(frame.fin === false ? 0 : 0x80) | frame.opcode]
  if (length < 126) header.push(0x80 | length)
  else if (length < 65536) header.push(0x80 | 126, length >> 8, length & 0xff)
  else {
    header.push(0x80 | 127)
    const big = Buffer.alloc(8)
    big.writeBigUInt64BE(BigInt(length))
    header.push(...big)
  }
  const mask = randomBytes(4)
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]))
  return Buffer.concat([Buffer.from(header), mask, masked])
}
