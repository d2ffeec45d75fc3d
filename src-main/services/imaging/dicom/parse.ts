/**
 * Turning bytes into a dicom-parser DataSet, whatever the file's layout: Part 10 with preamble,
 * Part 10 without preamble, bare ACR-NEMA style data sets (implicit or explicit VR), deflated
 * data sets. Parser exceptions become ImagingErrors that say whether the file was cut short.
 */
import { constants, inflateRawSync } from 'node:zlib'
import dicomParser, { type DataSet, type Element } from 'dicom-parser'
import { ImagingError } from '@shared/imaging/errors'
import { MAX_INFLATED_BYTES } from '../limits'
import { nativeFrameLength, readNumberOfFrames } from './imagePixel'
import { EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN } from './transferSyntax'

/** How a DICOM file is laid out, as far as its first bytes tell. */
export type DicomLayout = 'part10' | 'prefix-without-preamble' | 'meta-without-preamble' | 'raw-implicit' | 'raw-explicit'

/** A parsed data set and what the parse met on the way. */
export interface ParsedDicom {
  dataSet: DataSet
  transferSyntaxUid: string
  layout: DicomLayout
  warnings: string[]
  /** True when parsing stopped early; what was read may still hold complete pixel data. */
  incomplete: boolean
  /** The parser's reason for stopping early, for messages. */
  incompleteReason?: string
}

const PREAMBLE_LENGTH = 128
/** Compressed bytes inflated first to read the Image Pixel attributes (they precede Pixel Data). */
const HEADER_PREFIXES = [4096, 65536]
/** Room for the attributes around Pixel Data (overlays, private groups, padding) in an inflated data set. */
const INFLATED_SLACK_BYTES = 16 * 2 ** 20
const VALUE_REPRESENTATIONS = new Set(
  'AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
)
/** Groups a data set without meta header plausibly starts with. */
const FIRST_GROUPS = new Set([0x0000, 0x0002, 0x0004, 0x0008, 0x0010, 0x0018, 0x0020, 0x0028])

/** Recognise a DICOM layout from the first bytes; undefined when the bytes are not DICOM. */
export function detectDicomLayout(bytes: Uint8Array): DicomLayout | undefined {
  if (bytes.length >= 132 && ascii(bytes, 128, 4) === 'DICM') return 'part10'
  if (bytes.length >= 8 && ascii(bytes, 0, 4) === 'DICM') return 'prefix-without-preamble'
  if (bytes.length < 8) return undefined
  const group = bytes[0] | (bytes[1] << 8)
  const element = bytes[2] | (bytes[3] << 8)
  if (!FIRST_GROUPS.has(group) || element > 0x0fff) return undefined
  const vr = ascii(bytes, 4, 2)
  const explicit = VALUE_REPRESENTATIONS.has(vr)
  if (group === 0x0002) return explicit ? 'meta-without-preamble' : undefined
  if (explicit) return 'raw-explicit'
  const length = (bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24)) >>> 0
  return length === 0xffffffff || length <= bytes.length - 8 ? 'raw-implicit' : undefined
}

/** Parse a DICOM file of any supported layout. Throws ImagingError (NOT_DICOM, TRUNCATED, CORRUPT_DATA). */
export function parseDicomBytes(bytes: Uint8Array, file: string): ParsedDicom {
  const layout = detectDicomLayout(bytes)
  if (!layout) throw new ImagingError('NOT_DICOM', file, 'not a DICOM file (no DICM prefix and no plausible first data element)')
  const warnings: string[] = []
  let buffer = bytes
  let rawSyntax: string | undefined
  if (layout === 'meta-without-preamble') {
    buffer = concat(new Uint8Array(PREAMBLE_LENGTH), new TextEncoder().encode('DICM'), bytes)
    warnings.push('file has no 128-byte preamble')
  } else if (layout === 'prefix-without-preamble') {
    buffer = concat(new Uint8Array(PREAMBLE_LENGTH), bytes)
    warnings.push('file has no 128-byte preamble')
  } else if (layout === 'raw-implicit' || layout === 'raw-explicit') {
    rawSyntax = layout === 'raw-implicit' ? IMPLICIT_VR_LITTLE_ENDIAN : EXPLICIT_VR_LITTLE_ENDIAN
    warnings.push(`no File Meta Information: read as ${layout === 'raw-implicit' ? 'implicit' : 'explicit'} VR little endian (ACR-NEMA style)`)
  }
  // dicom-parser requires a Buffer-like array; a plain Uint8Array view works with its copy helpers.
  const byteArray = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength)
  const options = {
    ...(rawSyntax ? { TransferSyntaxUID: rawSyntax } : {}),
    inflater: (array: Uint8Array, position: number) => inflate(array, position, file),
  }
  // The meta header is read on its own first: a partial data set from a failed parse lacks it.
  let metaSyntax: string | undefined
  if (!rawSyntax) {
    try {
      metaSyntax = readTransferSyntax(dicomParser.readPart10Header(byteArray))
    } catch (thrown) {
      const reason = parserMessage(thrown)
      // A length running past the end is what truncation looks like (a damaged length looks the same).
      if (/past end|overread|overrun|outside/i.test(reason)) {
        throw new ImagingError('TRUNCATED', file, `the File Meta Information runs past the end of the file (truncated or damaged: ${reason})`)
      }
      throw new ImagingError('CORRUPT_DATA', file, `the File Meta Information cannot be read (${reason})`)
    }
  }
  let dataSet: DataSet
  let incomplete = false
  let incompleteReason: string | undefined
  try {
    dataSet = dicomParser.parseDicom(byteArray, options as dicomParser.ParseDicomOptions)
  } catch (thrown) {
    if (thrown instanceof ImagingError) throw thrown
    const partial = (thrown as { dataSet?: DataSet } | undefined)?.dataSet
    const reason = parserMessage(thrown)
    if (!partial) throw new ImagingError('TRUNCATED', file, `the DICOM data set cannot be read (${reason})`)
    dataSet = partial
    incomplete = true
    incompleteReason = reason
  }
  const transferSyntaxUid = (rawSyntax ?? metaSyntax ?? '').replace(/\0/g, '').trim()
  if (!transferSyntaxUid) throw new ImagingError('CORRUPT_DATA', file, 'the File Meta Information has no Transfer Syntax UID (0002,0010)')
  warnings.push(...(dataSet.warnings ?? []))
  return { dataSet, transferSyntaxUid, layout, warnings, incomplete, incompleteReason }
}

/** True when an element's value lies entirely inside the parsed bytes. */
export function elementIsComplete(dataSet: DataSet, element: Element): boolean {
  if (element.length === undefined || element.dataOffset === undefined) return false
  if (element.fragments) {
    return element.fragments.every((f) => f.position >= 0 && f.position + f.length <= dataSet.byteArray.length)
  }
  return element.dataOffset + element.length <= dataSet.byteArray.length
}

function readTransferSyntax(dataSet: DataSet): string | undefined {
  const element = dataSet.elements.x00020010 as (Element & { Value?: string }) | undefined
  return element?.Value ?? dataSet.string('x00020010')
}

/**
 * Inflate a deflated data set, but only as far as it can plausibly go: a few compressed kilobytes
 * are inflated first to read Rows, Columns, Samples, Bits Allocated and Number of Frames; the
 * whole stream is then inflated with that image's size (plus room for other attributes) as the
 * limit, and zlib stops as soon as its output passes it. A 1 MB file that would inflate to
 * gigabytes fails after a few megabytes instead.
 */
function inflate(array: Uint8Array, position: number, file: string): Uint8Array {
  const limit = plausibleInflatedSize(array, position, file)
  let inflated: Buffer
  try {
    inflated = inflateRawSync(array.subarray(position), { maxOutputLength: limit.bytes })
  } catch (error) {
    const message = String((error as Error).message)
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || /larger than/i.test(message)) {
      throw new ImagingError(
        'CORRUPT_DATA',
        file,
        `the deflated data set inflates to more than ${megabytes(limit.bytes)}, more than ${limit.basis} can need (a damaged file or a decompression bomb)`,
        { cause: error },
      )
    }
    const truncated = /unexpected end/i.test(message)
    throw new ImagingError(truncated ? 'TRUNCATED' : 'CORRUPT_DATA', file, `the deflated data set cannot be inflated (${message})`, { cause: error })
  }
  return concat(array.subarray(0, position), inflated)
}

/** The most the inflated data set may hold, from its own Image Pixel attributes when they can be read. */
function plausibleInflatedSize(array: Uint8Array, position: number, file: string): { bytes: number; basis: string } {
  for (const prefix of HEADER_PREFIXES) {
    let head: Buffer
    try {
      // Z_SYNC_FLUSH hands back what a partial stream holds instead of failing on its missing end.
      head = inflateRawSync(array.subarray(position, position + prefix), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: MAX_INFLATED_BYTES / 8 })
    } catch {
      break
    }
    const partial = concat(array.subarray(0, position), head)
    const dataSet = parsePartial(partial)
    const rows = dataSet?.uint16('x00280010')
    const columns = dataSet?.uint16('x00280011')
    const bitsAllocated = dataSet?.uint16('x00280100')
    if (!dataSet || !rows || !columns || !bitsAllocated) {
      if (position + prefix >= array.length) break
      continue
    }
    // A malformed Number of Frames is refused here as it would be after inflating: no need to inflate first.
    const frames = readNumberOfFrames(dataSet, file)
    const samplesPerPixel = dataSet.uint16('x00280002') ?? 1
    const frameBytes = nativeFrameLength({ rows, columns, samplesPerPixel, bitsAllocated, bitsStored: bitsAllocated, highBit: bitsAllocated - 1, signed: false, photometric: '', planarConfiguration: 0, frames })
    const bytes = Math.min(MAX_INFLATED_BYTES, Math.ceil(frameBytes * frames) + INFLATED_SLACK_BYTES)
    return { bytes, basis: `its ${columns} x ${rows} x ${samplesPerPixel} x ${bitsAllocated}-bit image${frames > 1 ? ` in ${frames} frames` : ''}` }
  }
  return { bytes: MAX_INFLATED_BYTES, basis: 'any radiograph' }
}

/** The attributes before Pixel Data in a partly inflated data set (parsing stops where the bytes do). */
function parsePartial(partial: Uint8Array): DataSet | undefined {
  const byteArray = Buffer.from(partial.buffer, partial.byteOffset, partial.byteLength)
  try {
    return dicomParser.parseDicom(byteArray, { untilTag: 'x7fe00010', inflater: () => byteArray } as dicomParser.ParseDicomOptions)
  } catch (thrown) {
    return (thrown as { dataSet?: DataSet } | undefined)?.dataSet
  }
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MB`
}

function parserMessage(thrown: unknown): string {
  const inner = (thrown as { exception?: unknown } | undefined)?.exception ?? thrown
  const text = inner instanceof Error ? inner.message : String(inner)
  return text.replace(/^dicomParser\.?[\w.]*:\s*/, '')
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length))
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
