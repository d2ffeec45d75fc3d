/**
 * Seeded damage for `cxr fuzz`: each mutation is a pure function of (run seed, mutation index,
 * input file), so any failure replays exactly with `--seed S --only N`. The operators are the
 * damage real archives and hostile senders produce: truncation, bit flips, runs of one byte,
 * edited Image Pixel attributes (sizes, frames, bits), and codestreams cut inside their
 * encapsulated fragments (a valid DICOM whose JPEG data stops early).
 */
import dicomParser, { type DataSet, type Element } from 'dicom-parser'
import { fnv1a32, mulberry32, type RandomSource } from '@shared/metrics/random'

/** One damaged input and how it was made. */
export interface Mutation {
  /** Position in the run (0-based): `--only` replays it. */
  index: number
  /** Input file it was made from. */
  source: string
  /** What was done, in words, for the failure list. */
  description: string
  bytes: Uint8Array
}

type Operator = (bytes: Uint8Array, random: RandomSource, dicom: DicomLayout | undefined) => { bytes: Uint8Array; description: string } | undefined

/** Where a DICOM file's pixel attributes and fragments are, found once per input file. */
export interface DicomLayout {
  /** Image Pixel attributes present in the file: tag, value offset, length, VR. */
  attributes: Array<{ tag: string; name: string; offset: number; length: number; vr: string }>
  /** Encapsulated fragments: offset of the item's length field and of its value, and the value's length. */
  fragments: Array<{ lengthOffset: number; position: number; length: number }>
  littleEndian: boolean
}

const PIXEL_ATTRIBUTES: Record<string, string> = {
  x00280002: 'Samples per Pixel',
  x00280008: 'Number of Frames',
  x00280010: 'Rows',
  x00280011: 'Columns',
  x00280100: 'Bits Allocated',
  x00280101: 'Bits Stored',
  x00280102: 'High Bit',
  x00280103: 'Pixel Representation',
}

/** Hostile values for US attributes: zero, one, off by one, the maximum, and the classic bit widths. */
const US_VALUES = [0, 1, 2, 7, 8, 12, 15, 16, 17, 24, 32, 64, 255, 256, 4096, 20000, 32767, 65535]
/** Hostile Number of Frames texts (an IS string, rewritten at the element's length). */
const FRAME_VALUES = ['1e9', '0', '-1', '2', '99', '2.5', 'abc', '4294967296', '1000000']

/** Find the pixel attributes and fragments of a DICOM file; undefined when it does not parse. */
export function describeDicom(bytes: Uint8Array): DicomLayout | undefined {
  let dataSet: DataSet
  try {
    dataSet = dicomParser.parseDicom(bytes)
  } catch (thrown) {
    const partial = (thrown as { dataSet?: DataSet } | undefined)?.dataSet
    if (!partial) return undefined
    dataSet = partial
  }
  // Deflated data sets are parsed from an inflated copy: offsets into it mean nothing in the file.
  if (dataSet.byteArray.length !== bytes.length) return { attributes: [], fragments: [], littleEndian: true }
  const attributes = Object.entries(PIXEL_ATTRIBUTES).flatMap(([tag, name]) => {
    const element = dataSet.elements[tag] as Element | undefined
    return element && element.length > 0 ? [{ tag, name, offset: element.dataOffset, length: element.length, vr: element.vr ?? (tag === 'x00280008' ? 'IS' : 'US') }] : []
  })
  const pixel = dataSet.elements.x7fe00010 as Element | undefined
  const fragments = (pixel?.fragments ?? []).map((f) => ({ lengthOffset: f.position - 4, position: f.position, length: f.length }))
  const littleEndian = dataSet.byteArrayParser !== dicomParser.bigEndianByteArrayParser
  return { attributes, fragments, littleEndian }
}

const truncate: Operator = (bytes, random) => {
  const length = Math.floor(random() ** 2 * bytes.length)
  return { bytes: bytes.slice(0, length), description: `truncated to ${length} of ${bytes.length} bytes` }
}

const bitFlips: Operator = (bytes, random) => {
  const count = [1, 2, 4, 16, 64][Math.floor(random() * 5)]
  const copy = new Uint8Array(bytes)
  const positions: number[] = []
  for (let i = 0; i < count; i++) {
    const position = Math.floor(random() * copy.length)
    copy[position] ^= 1 << Math.floor(random() * 8)
    positions.push(position)
  }
  return { bytes: copy, description: `${count} bit flip(s) at ${positions.slice(0, 4).join(', ')}${count > 4 ? ', ...' : ''}` }
}

const byteRun: Operator = (bytes, random) => {
  const length = 1 + Math.floor(random() ** 3 * Math.min(4096, bytes.length))
  const start = Math.floor(random() * Math.max(1, bytes.length - length))
  const value = [0x00, 0xff, 0x80, Math.floor(random() * 256)][Math.floor(random() * 4)]
  const copy = new Uint8Array(bytes)
  copy.fill(value, start, start + length)
  return { bytes: copy, description: `${length} byte(s) at ${start} set to 0x${value.toString(16).padStart(2, '0')}` }
}

const headerEdit: Operator = (bytes, random, dicom) => {
  if (!dicom || dicom.attributes.length === 0) return undefined
  const attribute = dicom.attributes[Math.floor(random() * dicom.attributes.length)]
  const copy = new Uint8Array(bytes)
  if (attribute.vr === 'US' && attribute.length >= 2) {
    const value = US_VALUES[Math.floor(random() * US_VALUES.length)]
    new DataView(copy.buffer).setUint16(attribute.offset, value, dicom.littleEndian)
    return { bytes: copy, description: `${attribute.name} set to ${value}` }
  }
  const text = FRAME_VALUES[Math.floor(random() * FRAME_VALUES.length)].slice(0, attribute.length).padEnd(attribute.length, ' ')
  for (let i = 0; i < attribute.length; i++) copy[attribute.offset + i] = text.charCodeAt(i)
  return { bytes: copy, description: `${attribute.name} set to '${text.trim()}'` }
}

/** Cut the codestream inside one fragment, fix that item's length and close the sequence: a valid file with short data. */
const fragmentCut: Operator = (bytes, random, dicom) => {
  if (!dicom || dicom.fragments.length === 0) return undefined
  // The Basic Offset Table is item 0 and not in the list; prefer the last fragments, where the image data ends.
  const index = dicom.fragments.length - 1 - Math.floor(random() ** 2 * dicom.fragments.length)
  const fragment = dicom.fragments[index]
  const keep = Math.floor(random() * fragment.length) & ~1
  const out = new Uint8Array(fragment.position + keep + 8)
  out.set(bytes.subarray(0, fragment.position + keep))
  new DataView(out.buffer).setUint32(fragment.lengthOffset, keep, dicom.littleEndian)
  out.set(dicom.littleEndian ? [0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0] : [0xff, 0xfe, 0xe0, 0xdd, 0, 0, 0, 0], fragment.position + keep)
  return { bytes: out, description: `codestream cut inside fragment ${index + 1} of ${dicom.fragments.length}: ${keep} of its ${fragment.length} bytes kept` }
}

const OPERATORS: Array<[name: string, weight: number, operator: Operator]> = [
  ['truncate', 2, truncate],
  ['bit-flips', 3, bitFlips],
  ['byte-run', 2, byteRun],
  ['header-edit', 3, headerEdit],
  ['fragment-cut', 2, fragmentCut],
]
const TOTAL_WEIGHT = OPERATORS.reduce((sum, [, weight]) => sum + weight, 0)

/**
 * Mutation `index` of a run with `seed`: picks an input and an operator (one that applies to that
 * input: no header edits on a PNG) from a generator seeded by (seed, index) alone.
 */
export function makeMutation(seed: number, index: number, inputs: Array<{ name: string; bytes: Uint8Array; dicom: DicomLayout | undefined }>): Mutation {
  const random = mulberry32(fnv1a32(`${seed}:${index}`))
  const input = inputs[Math.floor(random() * inputs.length)]
  for (;;) {
    let pick = random() * TOTAL_WEIGHT
    const entry = OPERATORS.find(([, weight]) => (pick -= weight) < 0) ?? OPERATORS[0]
    const result = entry[2](input.bytes, random, input.dicom)
    if (result) return { index, source: input.name, description: `${entry[0]}: ${result.description}`, bytes: result.bytes }
  }
}
