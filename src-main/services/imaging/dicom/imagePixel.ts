/**
 * The Image Pixel module (PS3.3 C.7.6.3): the attributes that say how to read Pixel Data,
 * checked up front so that a bad header fails with BAD_DIMENSIONS instead of a codec crash or an
 * absurd allocation. Missing optional attributes get the defaults old ACR-NEMA files rely on.
 */
import type { DataSet } from 'dicom-parser'
import { ImagingError } from '@shared/imaging/errors'
import { MAX_SAMPLES_PER_FRAME } from '../limits'

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
/** Pixel Data's length is a 32-bit field: no native object can hold more bytes than this. */
const MAX_PIXEL_DATA_BYTES = 2 ** 32 - 2

/** Read and validate the Image Pixel module. Throws BAD_DIMENSIONS or UNSUPPORTED_SYNTAX. */
export function readPixelModule(dataSet: DataSet, file: string, warnings: string[]): PixelModule {
  const rows = dataSet.uint16('x00280010')
  const columns = dataSet.uint16('x00280011')
  if (!rows || !columns) {
    throw new ImagingError('BAD_DIMENSIONS', file, `Rows (0028,0010) = ${rows ?? 'missing'} and Columns (0028,0011) = ${columns ?? 'missing'}: the image has no size`)
  }
  if (rows < 2 || columns < 2) warnings.push(`the image is ${columns} x ${rows} pixels (Columns x Rows): a single line, not a radiograph`)
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
  if (bitsAllocated === 1 && samplesPerPixel !== 1) {
    throw new ImagingError('BAD_DIMENSIONS', file, `Bits Allocated (0028,0100) = 1 is only possible for grey images, not with ${samplesPerPixel} samples per pixel`)
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
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) {
    throw new ImagingError('BAD_DIMENSIONS', file, `Pixel Representation (0028,0103) = ${pixelRepresentation}; it must be 0 (unsigned) or 1 (signed)`)
  }
  const planarConfiguration = samplesPerPixel === 3 ? (dataSet.uint16('x00280006') ?? 0) : 0
  if (planarConfiguration !== 0 && planarConfiguration !== 1) warnings.push(`Planar Configuration ${planarConfiguration} is invalid: assuming 0 (RGBRGB...)`)
  if (rows * columns * samplesPerPixel > MAX_SAMPLES_PER_FRAME) {
    throw new ImagingError('BAD_DIMENSIONS', file, `${columns} x ${rows} x ${samplesPerPixel} samples per frame (Columns x Rows x Samples per Pixel) is beyond any radiograph (header damaged?)`)
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
    frames: readNumberOfFrames(dataSet, file),
  }
}

/**
 * Number of Frames (0028,0008) is an Integer String: '1e9' or '2.5' is damage, not 1 (which is
 * what a lenient parseInt makes of it). Absent or empty means a single frame.
 */
export function readNumberOfFrames(dataSet: DataSet, file: string): number {
  const text = (dataSet.string('x00280008') ?? '').replace(/\0/g, '').trim()
  if (text === '') return 1
  const frames = /^[+]?\d{1,10}$/.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(frames) || frames < 1 || frames > 2 ** 31 - 1) {
    throw new ImagingError('BAD_DIMENSIONS', file, `Number of Frames (0028,0008) is '${text}', not a whole number of at least 1`)
  }
  return frames
}

/** Bytes one native (uncompressed) frame occupies; YBR_FULL_422 stores two samples per pixel. */
export function nativeFrameLength(module: PixelModule): number {
  const samples = module.photometric === 'YBR_FULL_422' ? 2 : module.samplesPerPixel
  const bits = module.rows * module.columns * samples * module.bitsAllocated
  return bits / 8
}

/**
 * Native Pixel Data must have the length the header gives it: Rows x Columns x Samples x Bits
 * Allocated x Number of Frames (plus the pad byte to an even length). A whole frame or more of
 * extra bytes means one of those fields is wrong (Bits Allocated 1 on 16-bit data is 16 times too
 * short, for instance): decoding would show a plausible but wrong picture, so it is an error. Fewer
 * frames than announced is a warning (the frames present decode); a few stray bytes too.
 */
export function checkNativeLength(module: PixelModule, length: number, file: string, warnings: string[]): void {
  const frameLength = nativeFrameLength(module)
  const layout = `${module.columns} x ${module.rows} x ${module.samplesPerPixel} sample(s) x ${module.bitsAllocated} bit(s)`
  if (frameLength * module.frames > MAX_PIXEL_DATA_BYTES) {
    throw new ImagingError('BAD_DIMENSIONS', file, `Number of Frames (0028,0008) = ${module.frames} of ${layout} is more than any Pixel Data can hold (header damaged?)`)
  }
  const needed = Math.ceil(frameLength * module.frames)
  if (length > needed + 1) {
    const excess = length - needed
    if (excess < frameLength) {
      warnings.push(`Pixel Data has ${excess} bytes more than the image needs; they are ignored`)
      return
    }
    const bitsPerSample = (length * 8) / (module.rows * module.columns * module.samplesPerPixel * module.frames)
    const hint = [8, 16, 32].includes(bitsPerSample) && bitsPerSample !== module.bitsAllocated
      ? `the data has ${bitsPerSample} bits per sample, Bits Allocated (0028,0100) says ${module.bitsAllocated}`
      : 'Rows, Columns, Samples per Pixel, Bits Allocated or Number of Frames is wrong'
    throw new ImagingError('BAD_DIMENSIONS', file, `Pixel Data holds ${length} bytes, ${(length / needed).toFixed(1)} times the ${needed} that ${module.frames} frame(s) of ${layout} need: ${hint}`)
  }
  const complete = Math.floor(length / frameLength)
  if (complete >= 1 && complete < module.frames) {
    warnings.push(`Pixel Data holds ${length} of the ${needed} bytes ${module.frames} frames need: later frames are missing`)
  }
}
