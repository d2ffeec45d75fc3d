/**
 * The image size a JPEG 2000 codestream declares (its SIZ segment, ISO/IEC 15444-1 A.5.1), read
 * without decoding so that a codestream claiming 20000 x 20000 is refused before OpenJPEG
 * allocates for it. Handles raw codestreams (SOC first) and JP2 files (the codestream in the
 * 'jp2c' box).
 */

/** What the SIZ segment says. */
export interface Jpeg2000Header {
  /** Xsiz - XOsiz. */
  width: number
  /** Ysiz - YOsiz. */
  height: number
  /** Csiz. */
  components: number
  /** Bit depth of the first component (Ssiz + 1). */
  precision: number
  signed: boolean
}

const SOC = 0xff4f
const SIZ = 0xff51

/** Read the SIZ segment; undefined when the data has none where the standard puts it. */
export function readJpeg2000Header(data: Uint8Array): Jpeg2000Header | undefined {
  const codestream = findCodestream(data)
  if (codestream === undefined) return undefined
  const p = codestream
  if (p + 45 > data.length || u16(data, p) !== SOC || u16(data, p + 2) !== SIZ) return undefined
  const body = p + 6 // after SOC, SIZ marker and Lsiz; Rsiz comes first
  const xsiz = u32(data, body + 2)
  const ysiz = u32(data, body + 6)
  const xosiz = u32(data, body + 10)
  const yosiz = u32(data, body + 14)
  const components = u16(data, body + 34)
  const ssiz = data[body + 36]
  return {
    width: Math.max(0, xsiz - xosiz),
    height: Math.max(0, ysiz - yosiz),
    components,
    precision: (ssiz & 0x7f) + 1,
    signed: (ssiz & 0x80) !== 0,
  }
}

/** Offset of the codestream: 0 for a raw one, the contents of the 'jp2c' box in a JP2 file. */
function findCodestream(data: Uint8Array): number | undefined {
  if (data.length >= 2 && u16(data, 0) === SOC) return 0
  // JP2: a sequence of boxes (length, type[, extended length]); the signature box comes first.
  let position = 0
  while (position + 8 <= data.length) {
    let length = u32(data, position)
    const type = String.fromCharCode(...data.subarray(position + 4, position + 8))
    let header = 8
    if (length === 1) {
      if (position + 16 > data.length) return undefined
      length = u32(data, position + 8) * 2 ** 32 + u32(data, position + 12)
      header = 16
    } else if (length === 0) {
      length = data.length - position
    }
    if (type === 'jp2c') return position + header
    if (length < header) return undefined
    position += length
  }
  return undefined
}

function u16(data: Uint8Array, p: number): number {
  return (data[p] << 8) | data[p + 1]
}

function u32(data: Uint8Array, p: number): number {
  return ((data[p] << 24) | (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3]) >>> 0
}
