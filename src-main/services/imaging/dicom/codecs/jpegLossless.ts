/**
 * JPEG Lossless, Non-Hierarchical (process 14, predictors 1-7, ITU T.81 Annex H) for 2- to 16-bit
 * samples, one or more components without subsampling. Written here in place of
 * jpeg-lossless-decoder-js, which lost the last pixel of some frames (a final Huffman code ending
 * exactly on the byte before EOI was taken for the marker, leaving 0 where GDCM reads 4095) and
 * decoded a truncated stream into a constant tail without a word. This one reads bits with the
 * same BitReader as the 12-bit DCT decoder and knows exactly whether the scan ran past its data.
 *
 * Damage policy: a lossless image must be exact, so a scan that runs out of data is a
 * TruncatedCodestreamError (TRUNCATED for the caller), not a partial image with a warning: a
 * radiograph whose lower half is one constant value must not reach a training set unnoticed.
 */
import { BitReader, readHuffmanTables, type HuffmanTable } from './jpegHuffman'
import { walkJpegSegments } from './jpegMarkers'
import { TruncatedCodestreamError, type DecodedFrame, type EncodedFrame } from './types'

interface LosslessFrame {
  precision: number
  width: number
  height: number
  /** Component ids in frame order; sample i of a pixel belongs to component ids[i]. */
  ids: number[]
  /**
   * The image, interleaved by pixel as DICOM wants it, in 32-bit integers so the DICOM decoder takes it as
   * its stored values without another copy.
   */
  samples: Int32Array
  decoded: boolean[]
}

/** Decode one JPEG Lossless frame. */
export async function decodeJpegLossless(frame: EncodedFrame): Promise<DecodedFrame> {
  return decodeLosslessJpeg(frame.data, frame.rows * frame.columns * frame.samplesPerPixel)
}

/**
 * Synchronous core. `expectedSamples` (what the DICOM header announces) bounds the allocation, so
 * a damaged frame header cannot make us allocate more than the header's image needs.
 */
export function decodeLosslessJpeg(data: Uint8Array, expectedSamples: number): DecodedFrame {
  if (data[0] !== 0xff || data[1] !== 0xd8) throw new Error('JPEG frame does not start with SOI')
  const tables: HuffmanTable[] = []
  const unusedAcTables: HuffmanTable[] = []
  let frame: LosslessFrame | undefined
  let restartInterval = 0
  const warnings: string[] = []
  const ended = walkJpegSegments(data, ({ marker, start, end }) => {
    if (marker === 0xc4) readHuffmanTables(data, start, end, tables, unusedAcTables)
    else if (marker === 0xdd) restartInterval = (data[start] << 8) | data[start + 1]
    else if (marker === 0xc3) frame = readFrameHeader(data, start, end, expectedSamples)
    else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new Error(`JPEG coding process SOF${marker - 0xc0} is not lossless Huffman (SOF3)`)
    } else if (marker === 0xdc) {
      throw new Error('JPEG Lossless with a DNL marker (height given after the scan) is not supported')
    } else if (marker === 0xda) {
      if (!frame) throw new Error('JPEG scan before the frame header')
      const reader = new BitReader(data, end)
      decodeScan(data, start, end, frame, tables, restartInterval, reader)
      if (reader.bitsPastEnd() > 0) throw new TruncatedCodestreamError('the JPEG Lossless data ends before the image does')
      // Every sample after a bad code is wrong by an unknown amount: a lossless image cannot carry that as a warning.
      if (reader.badCodes > 0) throw new Error(`the JPEG Lossless data is damaged (${reader.badCodes} invalid Huffman codes)`)
      return reader.marker !== 0 ? reader.position : data.length
    }
    return undefined
  })
  if (ended === 'overrun') throw new Error('a JPEG segment runs past the end of the frame')
  if (!frame) throw new Error('JPEG Lossless frame header (SOF3) not found')
  const missing = frame.ids.filter((_, i) => !frame!.decoded[i])
  if (missing.length > 0) throw new TruncatedCodestreamError(`the JPEG Lossless data ends before component(s) ${missing.join(', ')} are coded`)
  return {
    width: frame.width,
    height: frame.height,
    components: frame.ids.length,
    bitsPerSample: frame.precision,
    signedValues: false,
    samples: frame.samples,
    colourConverted: false,
    warnings,
  }
}

function readFrameHeader(data: Uint8Array, start: number, end: number, expectedSamples: number): LosslessFrame {
  const precision = data[start]
  const height = (data[start + 1] << 8) | data[start + 2]
  const width = (data[start + 3] << 8) | data[start + 4]
  const count = data[start + 5]
  if (precision < 2 || precision > 16) throw new Error(`JPEG Lossless sample precision ${precision} is not 2 to 16 bits`)
  if (width === 0 || height === 0) throw new Error('JPEG Lossless frame has zero width or height (DNL is not supported)')
  if (count < 1 || count > 4 || start + 6 + 3 * count > end) throw new Error(`JPEG Lossless frame header with ${count} components is malformed`)
  if (width * height * count > Math.max(expectedSamples, 1)) {
    throw new Error(`JPEG Lossless frame ${width} x ${height} x ${count} is larger than the DICOM header says`)
  }
  const ids: number[] = []
  for (let i = 0; i < count; i++) {
    const p = start + 6 + 3 * i
    if (data[p + 1] !== 0x11) throw new Error('subsampled JPEG Lossless components are not supported')
    ids.push(data[p])
  }
  return { precision, width, height, ids, samples: new Int32Array(width * height * count), decoded: ids.map(() => false) }
}

/**
 * One scan (T.81 H.2): each sample is its prediction plus a Huffman-coded difference, modulo 2^16.
 * The first line of the scan and of each restart interval predicts from the left (the first
 * sample from 2^(P-Pt-1)); later lines start from the sample above and use predictor Ss.
 */
function decodeScan(data: Uint8Array, start: number, end: number, frame: LosslessFrame, tables: HuffmanTable[], restartInterval: number, reader: BitReader): void {
  const count = data[start]
  if (count < 1 || start + 1 + 2 * count + 3 > end) throw new Error('JPEG scan header is malformed')
  /** Frame index of each scan component. */
  const targets: number[] = []
  const scanTables: HuffmanTable[] = []
  for (let i = 0; i < count; i++) {
    const index = frame.ids.indexOf(data[start + 1 + 2 * i])
    if (index < 0) throw new Error(`JPEG scan refers to unknown component ${data[start + 1 + 2 * i]}`)
    const table = tables[data[start + 2 + 2 * i] >> 4]
    if (!table) throw new Error('JPEG scan uses an undefined Huffman table')
    targets.push(index)
    scanTables.push(table)
    frame.decoded[index] = true
  }
  const predictor = data[start + 1 + 2 * count]
  const pointTransform = data[start + 3 + 2 * count] & 15
  if (predictor < 1 || predictor > 7) throw new Error(`JPEG Lossless predictor ${predictor} is not 1 to 7`)
  const { width, height } = frame
  if (restartInterval > 0 && restartInterval % width !== 0) {
    // libjpeg (hence GDCM) requires the same: its lossless predictors work on whole rows.
    throw new Error(`JPEG Lossless restart interval ${restartInterval} is not a whole number of ${width}-sample rows`)
  }
  const initial = 1 << (frame.precision - pointTransform - 1)
  const rowsPerInterval = restartInterval / width
  const components = targets.length
  const stride = frame.ids.length
  // One row of differences, interleaved by component as coded; the predictors then run per component.
  const differences = new Int32Array(width * components)
  for (let y = 0; y < height; y++) {
    const restarting = rowsPerInterval > 0 && y > 0 && y % rowsPerInterval === 0
    if (restarting && !reader.restart()) throw new TruncatedCodestreamError('the JPEG Lossless data ends before a restart marker it needs')
    reader.decodeDifferences(scanTables, differences, differences.length)
    const firstLine = y === 0 || restarting
    for (let c = 0; c < components; c++) {
      const row = { samples: frame.samples, first: y * width * stride + targets[c], stride, width, differences, difference: c, differenceStride: components }
      if (firstLine) reconstructFirstRow(row, initial)
      else reconstructRow(row, predictor)
    }
    // Stop at the first row that ran out of data instead of decoding zeros to the bottom.
    if (reader.bitsPastEnd() > 0) return
  }
  if (pointTransform > 0) {
    const samples = frame.samples
    for (const target of targets) for (let i = target; i < samples.length; i += stride) samples[i] = (samples[i] << pointTransform) & 0xffff
  }
}

/** Where one component's row lies: in the interleaved image, and in the row of coded differences. */
interface ComponentRow {
  samples: Int32Array
  /** Index of the row's first sample of this component. */
  first: number
  /** Samples per pixel of the image. */
  stride: number
  width: number
  differences: Int32Array
  /** Index of the component's first difference and the step to its next. */
  difference: number
  differenceStride: number
}

/**
 * The first row of a scan or restart interval: every sample predicts from its left neighbour, the first
 * from `initial`. Sums wrap modulo 2^16 (T.81 H.2.4.1).
 */
function reconstructFirstRow({ samples, first, stride, width, differences, difference, differenceStride }: ComponentRow, initial: number): void {
  let left = (initial + differences[difference]) & 0xffff
  samples[first] = left
  for (let x = 1, p = first + stride, d = difference + differenceStride; x < width; x++, p += stride, d += differenceStride) {
    left = (left + differences[d]) & 0xffff
    samples[p] = left
  }
}

/**
 * A later row: the first sample predicts from the one above, the others with predictor `selection`
 * (T.81 Table H.1: Ra left, Rb above, Rc above-left). One loop per predictor keeps the choice out of the
 * per-sample work.
 */
function reconstructRow({ samples, first, stride, width, differences, difference, differenceStride }: ComponentRow, selection: number): void {
  const up = width * stride
  let left = (samples[first - up] + differences[difference]) & 0xffff
  samples[first] = left
  const s = samples
  let p = first + stride
  let d = difference + differenceStride
  switch (selection) {
    case 1:
      for (let x = 1; x < width; x++, p += stride, d += differenceStride) s[p] = left = (left + differences[d]) & 0xffff
      break
    case 2:
      for (let x = 1; x < width; x++, p += stride, d += differenceStride) s[p] = (s[p - up] + differences[d]) & 0xffff
      break
    case 3:
      for (let x = 1; x < width; x++, p += stride, d += differenceStride) s[p] = (s[p - up - stride] + differences[d]) & 0xffff
      break
    case 4:
      for (let x = 1; x < width; x++, p += stride, d += differenceStride) s[p] = left = (left + s[p - up] - s[p - up - stride] + differences[d]) & 0xffff
      break
    case 5:
      for (let x = 1; x < width; x++, p += stride, d += differenceStride) s[p] = left = (left + ((s[p - up] - s[p - up - stride]) >> 1) + differences[d]) & 0xffff
      break
    case 6:
      for (let x = 1; x < width; x++, p += stride, d += differenceStride) s[p] = left = (s[p - up] + ((left - s[p - up - stride]) >> 1) + differences[d]) & 0xffff
      break
    default:
      for (let x = 1; x < width; x++, p += stride, d += differenceStride) s[p] = left = (((left + s[p - up]) >> 1) + differences[d]) & 0xffff
  }
}
