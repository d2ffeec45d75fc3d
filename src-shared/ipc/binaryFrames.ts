/**
 * Frames for the loopback bridge that carry typed arrays (pixels, masks, heatmaps) without JSON-encoding them
 * number by number. A frame with no typed arrays is plain JSON text; otherwise it is one binary message:
 *
 *   [uint32 LE: header byte length][header: UTF-8 JSON][padding to 8 bytes][blob 0][pad][blob 1]…
 *
 * and each typed array in the value is replaced in the header by `{ "$binary": index, "type": "Float32Array" }`.
 * Blobs start on 8-byte boundaries so the receiver can view them without copying. Electron IPC needs none of this:
 * its structured clone carries typed arrays natively.
 */

const TYPED_ARRAYS = {
  Uint8Array,
  Uint8ClampedArray,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
} as const

type TypedArrayName = keyof typeof TYPED_ARRAYS
type AnyTypedArray = InstanceType<(typeof TYPED_ARRAYS)[TypedArrayName]>

/** Whether a value is one of the typed arrays the frames can carry. */
export function isTypedArray(value: unknown): value is AnyTypedArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && typedArrayName(value as AnyTypedArray) !== undefined
}

function typedArrayName(value: AnyTypedArray): TypedArrayName | undefined {
  const name = value.constructor.name as TypedArrayName
  return name in TYPED_ARRAYS ? name : undefined
}

/** Encodes a value as JSON text, or as a binary frame when it contains typed arrays. */
export function encodeFrame(value: unknown): string | Uint8Array<ArrayBuffer> {
  const blobs: AnyTypedArray[] = []
  const header = JSON.stringify(value, function replacer(this: unknown, key, current) {
    // Read the holder's raw value: `current` may already have been transformed.
    const raw = (this as Record<string, unknown>)[key]
    if (isTypedArray(raw)) {
      blobs.push(raw)
      return { $binary: blobs.length - 1, type: typedArrayName(raw), length: raw.length }
    }
    return current
  })
  if (blobs.length === 0) return header ?? 'null'
  const headerBytes = new TextEncoder().encode(header)
  let size = align(4 + headerBytes.byteLength)
  const offsets = blobs.map((blob) => {
    const offset = size
    size = align(size + blob.byteLength)
    return offset
  })
  const frame = new Uint8Array(size)
  new DataView(frame.buffer).setUint32(0, headerBytes.byteLength, true)
  frame.set(headerBytes, 4)
  blobs.forEach((blob, i) => frame.set(new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength), offsets[i]))
  return frame
}

/** Decodes a frame made by `encodeFrame`; throws on a malformed binary frame. */
export function decodeFrame(data: string | Uint8Array): unknown {
  if (typeof data === 'string') return JSON.parse(data)
  if (data.byteLength < 4) throw new Error('binary frame too short')
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const headerLength = view.getUint32(0, true)
  if (4 + headerLength > data.byteLength) throw new Error('binary frame header overruns the frame')
  const header = new TextDecoder().decode(data.subarray(4, 4 + headerLength))
  // Views need aligned offsets: copy once when the socket handed us an unaligned buffer.
  const body = data.byteOffset % 8 === 0 ? data : data.slice()
  const placeholders: BinaryPlaceholder[] = []
  JSON.parse(header, (_key, value) => {
    if (isPlaceholder(value)) placeholders.push(value)
    return value
  })
  // Blobs follow the header in index order, each starting on an 8-byte boundary.
  const blobs: AnyTypedArray[] = []
  let cursor = align(4 + headerLength)
  for (const placeholder of [...placeholders].sort((a, b) => a.$binary - b.$binary)) {
    const Type = TYPED_ARRAYS[placeholder.type]
    if (!Type) throw new Error(`binary frame names unknown array type ${String(placeholder.type)}`)
    const bytes = placeholder.length * Type.BYTES_PER_ELEMENT
    if (!Number.isInteger(placeholder.length) || placeholder.length < 0 || cursor + bytes > body.byteLength) {
      throw new Error('binary frame blob overruns the frame')
    }
    blobs[placeholder.$binary] = new Type(body.buffer as ArrayBuffer, body.byteOffset + cursor, placeholder.length)
    cursor = align(cursor + bytes)
  }
  return JSON.parse(header, (_key, value) => (isPlaceholder(value) ? blobs[value.$binary] : value))
}

interface BinaryPlaceholder {
  $binary: number
  type: TypedArrayName
  length: number
}

function isPlaceholder(value: unknown): value is BinaryPlaceholder {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BinaryPlaceholder).$binary === 'number' &&
    typeof (value as BinaryPlaceholder).type === 'string' &&
    typeof (value as BinaryPlaceholder).length === 'number'
  )
}

/** Bytes a value will take on the wire: typed arrays by their byte length, the rest as JSON text. */
export function measurePayload(value: unknown): number | undefined {
  let binaryBytes = 0
  try {
    const text = JSON.stringify(value, function replacer(this: unknown, key, current) {
      const raw = (this as Record<string, unknown>)[key]
      if (isTypedArray(raw)) {
        binaryBytes += raw.byteLength
        return 0
      }
      return current
    })
    return (text === undefined ? 0 : new TextEncoder().encode(text).byteLength) + binaryBytes
  } catch {
    return undefined
  }
}

function align(n: number): number {
  return (n + 7) & ~7
}
