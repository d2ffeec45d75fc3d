/**
 * The Image Pixel module (PS3.3 C.7.6.3): the attributes that say how to read Pixel Data,
 * checked up front so that a bad header fails with BAD_DIMENSIONS instead of a codec crash or an
 * absurd allocation. Missing optional attributes get the defaults old ACR-NEMA files rely on.
 */
import type { DataSet } from 'dicom-parser'
import { ImagingError } from '@shared/imaging/errors'

/** What the header says about the samples of every frame. */
export interface PixelModule {
  rows: number
  columns: number
  samplesPerPixel: number
  bitsAllocated: number
  bitsStored: number
  highBit: number
  signed: boolean
  /** Photometric Interpretation as written (or defaulted). */
  photometric: string
  /** 0: RGBRGB..., 1: RRR...GGG...BBB... (colour only). */
  planarConfiguration: number
  frames: number
}

const PHOTOMETRICS = new Set(['MONOCHROME1', 'MONOCHROME2', 'RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_RCT', 'YBR_ICT', 'PALETTE COLOR'])
/** No single frame of a radiograph comes near this; a larger header value is damage. */
const MAX_SAMPLES_PER_FRAME = 2 ** 26

/** Read and validate the Image Pixel module. Throws BAD_DIMENSIONS or UNSUPPORTED_SYNTAX. */
export function readPixelModule(dataSet: DataSet, file: string, warnings: string[]): PixelModule {
  const rows = dataSet.uint16('x00280010')
  const columns = dataSet.uint16('x00280011')
  if (!rows || !columns) {
    throw new ImagingError('BAD_DIMENSIONS', file, `Rows (0028,0010) = ${rows ?? 'missing'} and Columns (0028,0011) = ${columns ?? 'missing'}: the image has no size`)
  }
  const bitsAllocated = dataSet.uint16('x00280100')
  if (bitsAllocated === undefined || ![1, 8, 16, 32].includes(bitsAllocated)) {
    throw new ImagingError('BAD_DIMENSIONS', file, `Bits Allocated (0028,0100) = ${bitsAllocated ?? 'missing'}; only 1, 8, 16 and 32 are readable`)
  }
  let bitsStored = dataSet.uint16('x00280101')
  if (bitsStored === undefined) {
    warnings.push(`Bits Stored missing: assuming ${bitsAllocated}`)
    bitsStored = bitsAllocated
  }
  if (bitsStored < 1 || bitsStored > bitsAllocated) {
    throw new ImagingError('BAD_DIMENSIONS', file, `Bits Stored (0028,0101) = ${bitsStored} does not fit Bits Allocated = ${bitsAllocated}`)
  }
  let highBit = dataSet.uint16('x00280102') ?? bitsStored - 1
  if (highBit < bitsStored - 1 || highBit >= bitsAllocated) {
    warnings.push(`High Bit ${highBit} is impossible with Bits Stored ${bitsStored}: using ${bitsStored - 1}`)
    highBit = bitsStored - 1
  }
  const samplesPerPixel = dataSet.uint16('x00280002') ?? 1
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) {
    throw new ImagingError('UNSUPPORTED_SYNTAX', file, `Samples per Pixel (0028,0002) = ${samplesPerPixel}; only 1 (grey) and 3 (colour) are supported`)
  }
  let photometric = (dataSet.string('x00280004') ?? '').trim().toUpperCase()
  if (!photometric) {
    photometric = samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB'
    warnings.push(`Photometric Interpretation missing: assuming ${photometric}`)
  }
  if (!PHOTOMETRICS.has(photometric)) {
    throw new ImagingError('UNSUPPORTED_SYNTAX', file, `Photometric Interpretation '${photometric}' is not supported`)
  }
  const colour = !photometric.startsWith('MONOCHROME') && photometric !== 'PALETTE COLOR'
  if (colour !== (samplesPerPixel === 3)) {
    throw new ImagingError('BAD_DIMENSIONS', file, `Photometric Interpretation ${photometric} does not go with ${samplesPerPixel} sample(s) per pixel`)
  }
  const pixelRepresentation = dataSet.uint16('x00280103') ?? 0
  const planarConfiguration = samplesPerPixel === 3 ? (dataSet.uint16('x00280006') ?? 0) : 0
  let frames = dataSet.intString('x00280008') ?? 1
  if (!Number.isInteger(frames) || frames < 1) {
    warnings.push(`Number of Frames '${dataSet.string('x00280008')}' is invalid: assuming 1`)
    frames = 1
  }
  if (rows * columns * samplesPerPixel > MAX_SAMPLES_PER_FRAME) {
    throw new ImagingError('BAD_DIMENSIONS', file, `${columns} x ${rows} x ${samplesPerPixel} samples per frame is beyond any radiograph (header damaged?)`)
  }
  return {
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    highBit,
    signed: pixelRepresentation === 1,
    photometric,
    planarConfiguration: planarConfiguration === 1 ? 1 : 0,
    frames,
  }
}

/** Bytes one native (uncompressed) frame occupies; YBR_FULL_422 stores two samples per pixel. */
export function nativeFrameLength(module: PixelModule): number {
  const samples = module.photometric === 'YBR_FULL_422' ? 2 : module.samplesPerPixel
  const bits = module.rows * module.columns * samples * module.bitsAllocated
  return bits / 8
}
