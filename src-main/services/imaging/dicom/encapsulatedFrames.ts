/**
 * Finding the bytes of one frame in encapsulated Pixel Data (PS3.5 A.4). The Basic Offset Table
 * is optional and often empty; then a single-frame object is all its fragments joined, and a
 * multi-frame object is split where a new codestream starts.
 */
import dicomParser, { type DataSet, type Element, type Fragment } from 'dicom-parser'
import type { PixelEncoding } from './transferSyntax'

/** Why a frame could not be cut out, for the caller to turn into an ImagingError. */
export class FrameLayoutError extends Error {
  constructor(
    message: string,
    readonly truncated: boolean,
  ) {
    super(message)
  }
}

/** Bytes of frame `frameIndex` (0-based) of `frameCount` frames. */
export function readEncapsulatedFrame(
  dataSet: DataSet,
  element: Element,
  frameIndex: number,
  frameCount: number,
  encoding: PixelEncoding,
): Uint8Array {
  const fragments = element.fragments ?? []
  if (fragments.length === 0) throw new FrameLayoutError('encapsulated Pixel Data has no fragments', false)
  const end = dataSet.byteArray.length
  const cut = fragments.find((f) => f.position + f.length > end)
  if (cut) throw new FrameLayoutError(`a pixel data fragment needs ${cut.position + cut.length - end} bytes more than the file has`, true)

  const offsets = element.basicOffsetTable ?? []
  if (offsets.length > 0 && offsets.length === frameCount && isUsableOffsetTable(offsets, fragments)) {
    return dicomParser.readEncapsulatedImageFrame(dataSet, element, frameIndex) as Uint8Array
  }
  if (frameCount === 1) {
    return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, fragments.length) as Uint8Array
  }
  if (fragments.length === frameCount) {
    return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, frameIndex, 1) as Uint8Array
  }
  const starts = fragmentsStartingFrames(dataSet, fragments, encoding)
  if (starts.length !== frameCount) {
    throw new FrameLayoutError(`cannot tell which of ${fragments.length} fragments belong to which of ${frameCount} frames`, false)
  }
  const first = starts[frameIndex]
  const next = frameIndex + 1 < starts.length ? starts[frameIndex + 1] : fragments.length
  return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, first, next - first) as Uint8Array
}

/** Offsets must start at 0, increase, and each point at a fragment start. */
function isUsableOffsetTable(offsets: number[], fragments: Fragment[]): boolean {
  const fragmentOffsets = new Set(fragments.map((f) => f.offset))
  return offsets[0] === 0 && offsets.every((o, i) => (i === 0 || o > offsets[i - 1]) && fragmentOffsets.has(o))
}

/** Indices of fragments that begin a codestream (JPEG SOI, JPEG 2000 SOC or JP2 signature). */
function fragmentsStartingFrames(dataSet: DataSet, fragments: Fragment[], encoding: PixelEncoding): number[] {
  const bytes = dataSet.byteArray
  const starts: number[] = []
  fragments.forEach((fragment, index) => {
    const p = fragment.position
    const b0 = bytes[p]
    const b1 = bytes[p + 1]
    const isStart =
      encoding === 'jpeg-2000'
        ? (b0 === 0xff && b1 === 0x4f) || (b0 === 0x00 && b1 === 0x00 && bytes[p + 4] === 0x6a)
        : encoding !== 'rle' && b0 === 0xff && b1 === 0xd8
    if (isStart) starts.push(index)
  })
  return starts
}
