/**
 * PNG and JPEG files (the form most public chest X-ray datasets take) through sharp: 8- or
 * 16-bit, grey, grey+alpha, RGB, RGBA, palette and CMYK, all brought to the same DecodedImage as
 * DICOM. Pixels keep their stored orientation: EXIF rotation is reported, not applied, because
 * dataset masks and labels were made on the stored pixel grid.
 */
import sharp, { type Metadata, type OutputInfo, type SharpOptions } from 'sharp'
import { findRange } from '@shared/imaging/displayLut'
import { ImagingError } from '@shared/imaging/errors'
import type { DecodedImage } from '@shared/imaging/types'
import { convertToGrey } from './greyscale'
import { MAX_SAMPLES_PER_FRAME } from './limits'

/** Raster formats decoded here. */
export type RasterFormat = 'png' | 'jpeg'

/** No chest radiograph comes near this many pixels (see limits.ts); more means a damaged or hostile header. */
const MAX_PIXELS = MAX_SAMPLES_PER_FRAME

/** Decode a PNG or JPEG held in memory. */
export async function decodeRasterBytes(bytes: Uint8Array, file: string, format: RasterFormat): Promise<DecodedImage> {
  const warnings: string[] = []
  let data: Buffer
  let info: OutputInfo
  let metadata: Metadata
  try {
    const options: SharpOptions = { failOn: 'error', limitInputPixels: MAX_PIXELS, sequentialRead: true }
    metadata = await sharp(bytes, options).metadata()
    const sixteenBit = metadata.depth === 'ushort' || (metadata.bitsPerSample ?? 8) > 8
    // Name the output colourspace: left to itself sharp turns grey into sRGB and rescales 16-bit
    // grey; and 'b-w' drops alpha, so 8-bit grey + alpha goes through sRGB and is folded back below.
    const grey = metadata.channels <= 2 && metadata.space !== 'cmyk'
    const space = sixteenBit ? (grey ? 'grey16' : 'rgb16') : grey && !metadata.hasAlpha ? 'b-w' : 'srgb'
    const pipeline = sharp(bytes, options).toColourspace(space)
    if (metadata.space === 'cmyk') warnings.push('CMYK JPEG converted to sRGB')
    ;({ data, info } = await pipeline.raw({ depth: sixteenBit ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true }))
  } catch (error) {
    throw rasterError(error, file, format)
  }
  if (metadata.orientation !== undefined && metadata.orientation !== 1) {
    warnings.push(`EXIF orientation ${metadata.orientation} not applied: pixels are in stored order`)
  }
  // Bytes per sample follow from the buffer size: OutputInfo does not report the depth.
  const bits = data.byteLength >= info.width * info.height * info.channels * 2 ? 16 : 8
  let samples: Uint8Array | Uint16Array = bits === 16 ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  let channels: number = info.channels
  if (samples.length < info.width * info.height * channels) {
    throw new ImagingError('CODEC_FAILED', file, `sharp returned ${samples.length} samples for ${info.width} x ${info.height} x ${channels}`)
  }
  if (metadata.channels <= 2 && channels === 4) {
    samples = keepGreyAndAlpha(samples)
    channels = 2
  }
  const grey = convertToGrey(samples, channels, 2 ** bits - 1)
  if (channels === 2 || channels === 4) warnings.push('alpha channel composited on black')
  const colour = grey.channels === 3
  return {
    source: format,
    width: info.width,
    height: info.height,
    samplesPerPixel: grey.channels,
    bitsAllocated: bits,
    bitsStored: bits,
    highBit: bits - 1,
    pixelRepresentation: 'unsigned',
    photometric: colour ? 'RGB' : 'MONOCHROME2',
    photometricInFile: describeLayout(metadata, format),
    stored: grey.samples,
    pixels: grey.grey,
    pixelRange: findRange(grey.grey),
    rescale: { slope: 1, intercept: 0 },
    voi: { windows: [], luts: [], function: 'LINEAR' },
    invert: false,
    transferSyntax: { uid: '', name: format === 'png' ? 'PNG' : 'JPEG (JFIF/EXIF file)', lossy: format === 'jpeg' },
    frames: 1,
    frameIndex: 0,
    tags: {},
    patient: {},
    warnings,
  }
}

/** R, G, B, A with R = G = B (grey expanded by sharp) back to grey, alpha. */
function keepGreyAndAlpha(rgba: Uint8Array | Uint16Array): Uint8Array | Uint16Array {
  const out = new (rgba.constructor as Uint8ArrayConstructor | Uint16ArrayConstructor)(rgba.length / 2)
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 2) {
    out[j] = rgba[i]
    out[j + 1] = rgba[i + 3]
  }
  return out
}

function describeLayout(metadata: Metadata, format: RasterFormat): string {
  const palette = metadata.isPalette ? ' palette' : ''
  return `${format.toUpperCase()} ${metadata.space}${palette}, ${metadata.channels} channel(s), ${metadata.bitsPerSample ?? (metadata.depth === 'ushort' ? 16 : 8)}-bit`
}

function rasterError(error: unknown, file: string, format: RasterFormat): ImagingError {
  const message = error instanceof Error ? error.message : String(error)
  const name = format.toUpperCase()
  if (/premature end|truncated|unexpected end|end of (file|stream)|not enough data|incomplete/i.test(message)) {
    return new ImagingError('TRUNCATED', file, `the ${name} data ends early (${message.trim()})`, { cause: error })
  }
  if (/exceeds pixel limit/i.test(message)) {
    return new ImagingError('BAD_DIMENSIONS', file, `the ${name} is larger than ${MAX_PIXELS} pixels`, { cause: error })
  }
  return new ImagingError('CODEC_FAILED', file, `the ${name} cannot be decoded (${message.trim()})`, { cause: error })
}
