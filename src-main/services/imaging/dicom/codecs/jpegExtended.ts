/**
 * Sequential Huffman DCT JPEG (processes 1, 2 and 4) for 8- and 12-bit samples: the decoder for
 * JPEG Extended 12-bit frames, which the 8-bit libjpeg-turbo build cannot read. Written here
 * because the pdf.js-derived 12-bit decoders on npm shift every sample by about 15 levels (their
 * level shift assumes 8-bit data); this one follows IJG's arithmetic and matches GDCM exactly.
 * Colour is supported with plain replication upsampling (chroma subsampling is rare at 12 bits).
 */
import { inverseDctIslow } from './idct'
import { BitReader, readHuffmanTables, type HuffmanTable } from './jpegHuffman'
import { walkJpegSegments } from './jpegMarkers'
import { TruncatedCodestreamError, type DecodedFrame, type EncodedFrame } from './types'

// prettier-ignore
const ZIGZAG = new Int32Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
])

interface Component {
  id: number
  h: number
  v: number
  quantTable: number
  /** Blocks per line / column of the padded plane. */
  blocksPerLine: number
  blocksPerColumn: number
  /** Padded samples; a view into {@link scratchPlane}'s reused buffer, valid until the next frame. */
  plane: Uint16Array
  predictor: number
  dcTable?: HuffmanTable
  acTable?: HuffmanTable
}

interface Frame {
  precision: number
  width: number
  height: number
  components: Component[]
  hMax: number
  vMax: number
  mcusPerLine: number
  mcusPerColumn: number
}

/** Decode one sequential DCT JPEG frame of 8- or 12-bit precision. */
export async function decodeJpegExtended(frame: EncodedFrame): Promise<DecodedFrame> {
  return decodeSequentialDct(frame.data, frame.rows * frame.columns * frame.samplesPerPixel)
}

/**
 * Synchronous core. `expectedSamples` guards memory: a damaged header must not make us allocate
 * gigabytes for a frame the DICOM header says is small.
 */
export function decodeSequentialDct(data: Uint8Array, expectedSamples: number): DecodedFrame {
  if (data[0] !== 0xff || data[1] !== 0xd8) throw new Error('JPEG frame does not start with SOI')
  const quantTables: Int32Array[] = []
  const dcTables: HuffmanTable[] = []
  const acTables: HuffmanTable[] = []
  let frame: Frame | undefined
  let restartInterval = 0
  let rgbTransform: boolean | undefined
  const warnings: string[] = []
  const u16 = (p: number) => (data[p] << 8) | data[p + 1]

  const ended = walkJpegSegments(data, ({ marker, start, end }) => {
    if (marker === 0xdb) readQuantTables(data, start, end, quantTables)
    else if (marker === 0xc4) readHuffmanTables(data, start, end, dcTables, acTables)
    else if (marker === 0xdd) restartInterval = u16(start)
    else if (marker === 0xee && end - start >= 12 && String.fromCharCode(...data.subarray(start, start + 5)) === 'Adobe') rgbTransform = data[start + 11] === 0
    else if (marker === 0xc0 || marker === 0xc1) frame = readFrameHeader(data, start, expectedSamples)
    else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new Error(`JPEG coding process SOF${marker - 0xc0} is not sequential Huffman DCT`)
    } else if (marker === 0xda) {
      if (!frame) throw new Error('JPEG scan before the frame header')
      const reader = new BitReader(data, end)
      const whole = decodeScan(data, start, frame, reader, quantTables, dcTables, acTables, restartInterval)
      // Grey blocks where the data ran out would pass for image content: a short scan is an error, not a warning.
      if (!whole || reader.bitsPastEnd() > 0) throw new TruncatedCodestreamError('the JPEG data ends before the image does')
      if (reader.badCodes > 0) warnings.push(`JPEG data had ${reader.badCodes} invalid Huffman codes`)
      return reader.marker !== 0 ? reader.position : nextMarker(data, reader.position)
    }
    return undefined
  })
  if (ended === 'overrun') throw new Error('a JPEG segment runs past the end of the frame')
  if (!frame) throw new Error('JPEG frame header (SOF0/SOF1) not found')
  const isRgb = rgbTransform ?? (frame.components.length === 3 && frame.components.map((c) => c.id).join() === '82,71,66')
  return { ...assemble(frame, frame.components.length === 3 && !isRgb), warnings }
}

/** Planes kept between frames, one per component index; see {@link scratchPlane}. */
const planes: Uint16Array[] = []

/** Frames up to this many samples per plane (a 4096 x 4096 image) keep their planes for the next frame. */
const KEPT_PLANE_SAMPLES = 1 << 24

/**
 * A zeroed plane of `size` samples for component `index`. Series decode frame after frame of the same size, and a
 * fresh buffer of several megabytes costs more in first-touch page faults than decoding into it: the buffer is
 * kept and reused (decoding is synchronous, so no two frames share it at once; assemble copies out of it).
 */
function scratchPlane(index: number, size: number): Uint16Array {
  if (size > KEPT_PLANE_SAMPLES) return new Uint16Array(size)
  if ((planes[index]?.length ?? 0) < size) planes[index] = new Uint16Array(size)
  const plane = planes[index].subarray(0, size)
  plane.fill(0)
  return plane
}

function readQuantTables(data: Uint8Array, start: number, end: number, tables: Int32Array[]): void {
  let p = start
  while (p < end) {
    const sixteenBit = data[p] >> 4
    const id = data[p] & 15
    p++
    const table = new Int32Array(64)
    for (let k = 0; k < 64; k++) {
      table[ZIGZAG[k]] = sixteenBit ? (data[p] << 8) | data[p + 1] : data[p]
      p += sixteenBit ? 2 : 1
    }
    tables[id & 3] = table
  }
}

function readFrameHeader(data: Uint8Array, start: number, expectedSamples: number): Frame {
  const precision = data[start]
  const height = (data[start + 1] << 8) | data[start + 2]
  const width = (data[start + 3] << 8) | data[start + 4]
  const count = data[start + 5]
  if (precision !== 8 && precision !== 12) throw new Error(`JPEG sample precision ${precision} is not 8 or 12`)
  if (width === 0 || height === 0) throw new Error('JPEG frame has zero width or height (DNL is not supported)')
  if (count < 1 || count > 4) throw new Error(`JPEG frame has ${count} components`)
  if (width * height * count > Math.max(expectedSamples, 1) * 4) {
    throw new Error(`JPEG frame ${width}x${height}x${count} is far larger than the DICOM header says`)
  }
  const components: Component[] = []
  for (let i = 0; i < count; i++) {
    const p = start + 6 + 3 * i
    const h = data[p + 1] >> 4
    const v = data[p + 1] & 15
    if (h < 1 || h > 4 || v < 1 || v > 4) throw new Error(`JPEG component sampling ${h}x${v} is invalid`)
    components.push({ id: data[p], h, v, quantTable: data[p + 2] & 3, blocksPerLine: 0, blocksPerColumn: 0, plane: new Uint16Array(0), predictor: 0 })
  }
  const hMax = Math.max(...components.map((c) => c.h))
  const vMax = Math.max(...components.map((c) => c.v))
  const mcusPerLine = Math.ceil(width / (8 * hMax))
  const mcusPerColumn = Math.ceil(height / (8 * vMax))
  components.forEach((c, index) => {
    c.blocksPerLine = mcusPerLine * c.h
    c.blocksPerColumn = mcusPerColumn * c.v
    c.plane = scratchPlane(index, c.blocksPerLine * c.blocksPerColumn * 64)
  })
  return { precision, width, height, components, hMax, vMax, mcusPerLine, mcusPerColumn }
}

function decodeScan(
  data: Uint8Array,
  start: number,
  frame: Frame,
  reader: BitReader,
  quantTables: Int32Array[],
  dcTables: HuffmanTable[],
  acTables: HuffmanTable[],
  restartInterval: number,
): boolean {
  const count = data[start]
  const scan: Component[] = []
  for (let i = 0; i < count; i++) {
    const id = data[start + 1 + 2 * i]
    const tables = data[start + 2 + 2 * i]
    const component = frame.components.find((c) => c.id === id)
    if (!component) throw new Error(`JPEG scan refers to unknown component ${id}`)
    component.dcTable = dcTables[tables >> 4]
    component.acTable = acTables[tables & 3]
    if (!component.dcTable || !component.acTable) throw new Error('JPEG scan uses an undefined Huffman table')
    if (!quantTables[component.quantTable]) throw new Error('JPEG component uses an undefined quantisation table')
    component.predictor = 0
    scan.push(component)
  }
  const coefficients = new Int32Array(64)
  const workspace = new Float64Array(64)
  const decodeBlock = (c: Component, blockRow: number, blockColumn: number) => {
    coefficients.fill(0)
    c.predictor = reader.decodeBlock(c.dcTable as HuffmanTable, c.acTable as HuffmanTable, quantTables[c.quantTable], ZIGZAG, c.predictor, coefficients)
    const stride = c.blocksPerLine * 8
    inverseDctIslow(coefficients, c.plane, blockRow * 8 * stride + blockColumn * 8, stride, frame.precision, workspace)
  }

  // One component alone is coded block by block over its own size, not by MCU (T.81 A.2.2).
  const single = scan.length === 1 ? scan[0] : undefined
  const unitsPerLine = single ? Math.ceil(Math.ceil((frame.width * single.h) / frame.hMax) / 8) : frame.mcusPerLine
  const unitsPerColumn = single ? Math.ceil(Math.ceil((frame.height * single.v) / frame.vMax) / 8) : frame.mcusPerColumn
  let untilRestart = restartInterval
  for (let row = 0; row < unitsPerColumn; row++) {
    for (let column = 0; column < unitsPerLine; column++) {
      if (restartInterval > 0) {
        if (untilRestart === 0) {
          if (!reader.restart()) return false
          for (const c of scan) c.predictor = 0
          untilRestart = restartInterval
        }
        untilRestart--
      }
      if (single) {
        decodeBlock(single, row, column)
      } else {
        for (const c of scan) {
          for (let v = 0; v < c.v; v++) for (let h = 0; h < c.h; h++) decodeBlock(c, row * c.v + v, column * c.h + h)
        }
      }
    }
  }
  return true
}

/** Crop the padded planes, upsample by replication and convert YCbCr to RGB when asked. */
function assemble(frame: Frame, ycbcr: boolean): Omit<DecodedFrame, 'warnings'> {
  const { width, height, components, precision } = frame
  const count = components.length
  // Int32, the type the DICOM decoder stores, so it takes these samples without another copy.
  const out = new Int32Array(width * height * count)
  components.forEach((c, index) => {
    const stride = c.blocksPerLine * 8
    if (count === 1) {
      for (let y = 0; y < height; y++) out.set(c.plane.subarray(y * stride, y * stride + width), y * width)
      return
    }
    for (let y = 0; y < height; y++) {
      const sourceRow = Math.floor((y * c.v) / frame.vMax) * stride
      for (let x = 0; x < width; x++) {
        out[(y * width + x) * count + index] = c.plane[sourceRow + Math.floor((x * c.h) / frame.hMax)]
      }
    }
  })
  if (ycbcr) convertYcbcrToRgb(out, precision)
  return { width, height, components: count, bitsPerSample: precision, signedValues: false, samples: out, colourConverted: ycbcr }
}

function convertYcbcrToRgb(samples: Int32Array, precision: number): void {
  const center = 1 << (precision - 1)
  const max = (1 << precision) - 1
  const clamp = (v: number) => (v < 0 ? 0 : v > max ? max : Math.round(v))
  for (let i = 0; i < samples.length; i += 3) {
    const y = samples[i]
    const cb = samples[i + 1] - center
    const cr = samples[i + 2] - center
    samples[i] = clamp(y + 1.402 * cr)
    samples[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr)
    samples[i + 2] = clamp(y + 1.772 * cb)
  }
}

function nextMarker(data: Uint8Array, from: number): number {
  let p = from
  while (p + 1 < data.length && !(data[p] === 0xff && data[p + 1] !== 0 && data[p + 1] !== 0xff)) p++
  return p
}
