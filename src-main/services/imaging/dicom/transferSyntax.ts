/**
 * The transfer syntaxes the service knows: how their pixel data is laid out and which codec reads
 * it. Kept as data so adding a syntax is one line here and one codec file.
 */
import type { TransferSyntaxInfo } from '@shared/imaging/types'

/** How the pixel data of a transfer syntax is decoded. */
export type PixelEncoding =
  | 'native'
  | 'rle'
  | 'jpeg-baseline'
  | 'jpeg-extended'
  | 'jpeg-lossless'
  | 'jpeg-ls'
  | 'jpeg-2000'

/** Everything the decoder needs to know about one transfer syntax. */
export interface TransferSyntaxSpec extends TransferSyntaxInfo {
  encoding: PixelEncoding
  bigEndian: boolean
  explicitVr: boolean
  deflated: boolean
}

/** Implicit VR Little Endian: the default for files without a meta header (ACR-NEMA style). */
export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2'
/** Explicit VR Little Endian. */
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1'
/** Deflated Explicit VR Little Endian. */
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99'
/** Explicit VR Big Endian (retired, still found in archives). */
export const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2'
/** RLE Lossless. */
export const RLE_LOSSLESS = '1.2.840.10008.1.2.5'

type Row = [uid: string, name: string, encoding: PixelEncoding, lossy: boolean]

const encapsulated: Row[] = [
  [RLE_LOSSLESS, 'RLE Lossless', 'rle', false],
  ['1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg-baseline', true],
  ['1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)', 'jpeg-extended', true],
  ['1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)', 'jpeg-lossless', false],
  ['1.2.840.10008.1.2.4.70', 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, SV1)', 'jpeg-lossless', false],
  ['1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', 'jpeg-ls', false],
  ['1.2.840.10008.1.2.4.81', 'JPEG-LS Near-Lossless', 'jpeg-ls', true],
  ['1.2.840.10008.1.2.4.90', 'JPEG 2000 Lossless Only', 'jpeg-2000', false],
  ['1.2.840.10008.1.2.4.91', 'JPEG 2000', 'jpeg-2000', true],
]

const table = new Map<string, TransferSyntaxSpec>()
function add(uid: string, name: string, encoding: PixelEncoding, lossy: boolean, extra: Partial<TransferSyntaxSpec> = {}): void {
  table.set(uid, { uid, name, encoding, lossy, bigEndian: false, explicitVr: true, deflated: false, ...extra })
}
add(IMPLICIT_VR_LITTLE_ENDIAN, 'Implicit VR Little Endian', 'native', false, { explicitVr: false })
add(EXPLICIT_VR_LITTLE_ENDIAN, 'Explicit VR Little Endian', 'native', false)
add(DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, 'Deflated Explicit VR Little Endian', 'native', false, { deflated: true })
add(EXPLICIT_VR_BIG_ENDIAN, 'Explicit VR Big Endian', 'native', false, { bigEndian: true })
for (const [uid, name, encoding, lossy] of encapsulated) add(uid, name, encoding, lossy)

/** Names of syntaxes recognised but not decodable, so an error can say what the file is. */
const knownUnsupported: Record<string, string> = {
  '1.2.840.10008.1.2.4.52': 'JPEG Extended (Process 3 & 5, retired)',
  '1.2.840.10008.1.2.4.53': 'JPEG Spectral Selection (retired)',
  '1.2.840.10008.1.2.4.55': 'JPEG Full Progression (retired)',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component Lossless',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component',
  '1.2.840.10008.1.2.4.94': 'JPIP Referenced',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264',
  '1.2.840.10008.1.2.4.110': 'JPEG XL Lossless',
  '1.2.840.10008.1.2.4.112': 'JPEG XL',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
}

/** The spec of a supported transfer syntax, or undefined. */
export function findTransferSyntax(uid: string): TransferSyntaxSpec | undefined {
  return table.get(uid)
}

/** A readable name for any transfer syntax UID, supported or not. */
export function transferSyntaxName(uid: string): string {
  return table.get(uid)?.name ?? knownUnsupported[uid] ?? `unknown transfer syntax ${uid}`
}
