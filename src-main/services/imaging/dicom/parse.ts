/**
 * Turning bytes into a dicom-parser DataSet, whatever the file's layout: Part 10 with preamble,
 * Part 10 without preamble, bare ACR-NEMA style data sets (implicit or explicit VR), deflated
 * data sets. Parser exceptions become ImagingErrors that say whether the file was cut short.
 */
import { inflateRawSync } from 'node:zlib'
import dicomParser, { type DataSet, type Element } from 'dicom-parser'
import { ImagingError } from '@shared/imaging/errors'
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
/** An inflated data set larger than this is treated as a decompression bomb. */
const MAX_INFLATED_BYTES = 2 ** 30
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

function inflate(array: Uint8Array, position: number, file: string): Uint8Array {
  let inflated: Buffer
  try {
    inflated = inflateRawSync(array.subarray(position), { maxOutputLength: MAX_INFLATED_BYTES })
  } catch (error) {
    const truncated = /unexpected end/i.test(String((error as Error).message))
    throw new ImagingError(
      truncated ? 'TRUNCATED' : 'CORRUPT_DATA',
      file,
      `the deflated data set cannot be inflated (${(error as Error).message})`,
      { cause: error },
    )
  }
  return concat(array.subarray(0, position), inflated)
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
