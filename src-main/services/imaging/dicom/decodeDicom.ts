/**
 * DICOM bytes to a DecodedImage: parse, check the header, get one frame's stored values (native
 * or through a codec), make colour RGB, apply the Modality LUT and collect the display settings.
 * Every failure leaves as an ImagingError naming the file and the step that failed.
 */
import { findRange } from '@shared/imaging/displayLut'
import { ImagingError } from '@shared/imaging/errors'
import type { DecodedImage, DecodeOptions, Photometric, PixelBuffers } from '@shared/imaging/types'
import { convertToGrey } from '../greyscale'
import { selectCodec } from './codecs'
import { TruncatedCodestreamError, type DecodedFrame } from './codecs/types'
import { checkCodestream } from './codestreamCheck'
import { applyPalette, convertYbrFullToRgb, expandYbrFull422 } from './colour'
import { FrameLayoutError, readEncapsulatedFrame } from './encapsulatedFrames'
import { checkNativeLength, nativeFrameLength, readPixelModule, type PixelModule } from './imagePixel'
import { applyModalityLut, readModalityTransform, readVoi, type ModalityPixels } from './lut'
import { maskAndExtend, readNativeFrame } from './nativePixels'
import { elementIsComplete, parseDicomBytes } from './parse'
import { readImageTags, readPatientInfo } from './tags'
import { findTransferSyntax, transferSyntaxName, type TransferSyntaxSpec } from './transferSyntax'

/** Decode one frame of a DICOM object held in memory. */
export async function decodeDicomBytes(bytes: Uint8Array, file: string, options: DecodeOptions = {}): Promise<DecodedImage> {
  const parsed = parseDicomBytes(bytes, file)
  const { dataSet } = parsed
  const warnings = [...parsed.warnings]
  const uid = parsed.transferSyntaxUid
  const syntax = findTransferSyntax(uid)
  if (!syntax) throw new ImagingError('UNSUPPORTED_SYNTAX', file, `transfer syntax ${transferSyntaxName(uid)} (${uid}) has no decoder here`)

  if (dataSet.elements.x7fe00008 || dataSet.elements.x7fe00009) {
    throw new ImagingError('UNSUPPORTED_SYNTAX', file, 'floating point pixel data (7FE0,0008/0009) is not supported')
  }
  const pixelElement = dataSet.elements.x7fe00010
  if (!pixelElement) {
    if (parsed.incomplete) throw new ImagingError('TRUNCATED', file, `the file ends before its Pixel Data (${parsed.incompleteReason})`)
    throw new ImagingError('NO_PIXEL_DATA', file, 'the DICOM object has no Pixel Data (7FE0,0010): not an image')
  }
  if (!elementIsComplete(dataSet, pixelElement)) {
    throw new ImagingError('TRUNCATED', file, `the file ends inside Pixel Data (${dataSet.byteArray.length} bytes read)`)
  }
  if (parsed.incomplete) warnings.push(`the data set is damaged after Pixel Data (${parsed.incompleteReason}); the pixels are complete`)

  const module = readPixelModule(dataSet, file, warnings)
  const frameIndex = options.frame ?? 0
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= module.frames) {
    throw new ImagingError('BAD_FRAME', file, `frame ${frameIndex} requested, the object has ${module.frames} frame(s)`)
  }

  let stored: Int32Array
  let colourConverted = false
  let decoder: string | undefined
  if (syntax.encoding === 'native') {
    if (!pixelElement.encapsulatedPixelData) checkNativeLength(module, pixelElement.length, file, warnings)
    stored = readNative(dataSet.byteArray, pixelElement, module, frameIndex, syntax, file, options.pixelBuffers)
  } else {
    const { frame, codec } = await decodeEncapsulated(dataSet, pixelElement, module, frameIndex, syntax, file)
    decoder = codec
    warnings.push(...frame.warnings)
    colourConverted = frame.colourConverted
    stored = toStoredValues(frame, module)
  }

  // Colour becomes interleaved RGB here, so nothing downstream has to know about YBR or palettes.
  let samplesPerPixel = module.samplesPerPixel
  let bitsAllocated = module.bitsAllocated
  let bitsStored = module.bitsStored
  let photometric: Photometric = module.photometric === 'MONOCHROME1' ? 'MONOCHROME1' : 'MONOCHROME2'
  if (module.photometric === 'PALETTE COLOR') {
    const palette = applyPalette(stored, dataSet, warnings)
    if (!palette) throw new ImagingError('UNSUPPORTED_SYNTAX', file, 'PALETTE COLOR image without usable Palette Color LUTs (segmented palettes are not supported)')
    stored = palette.rgb
    samplesPerPixel = 3
    bitsAllocated = bitsStored = palette.bits
    photometric = 'RGB'
  } else if (module.samplesPerPixel === 3) {
    photometric = 'RGB'
    if (module.photometric === 'YBR_FULL_422' && syntax.encoding === 'native') stored = expandYbrFull422(stored, module.rows, module.columns, module.bitsStored)
    else if (module.photometric.startsWith('YBR_FULL') && !colourConverted) convertYbrFullToRgb(stored, module.bitsStored)
  }

  const signedInput = module.signed && samplesPerPixel === 1
  const modality = readModalityTransform(dataSet, signedInput, warnings)
  const { pixels, range } = samplesPerPixel === 1 ? applyModalityLut(stored, modality, options.pixelBuffers) : greyWithRange(stored, 2 ** bitsStored - 1)
  return {
    source: 'dicom',
    width: module.columns,
    height: module.rows,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    highBit: bitsStored === module.bitsStored ? module.highBit : bitsStored - 1,
    pixelRepresentation: module.signed && samplesPerPixel === 1 ? 'signed' : 'unsigned',
    photometric,
    photometricInFile: module.photometric,
    stored,
    pixels,
    pixelRange: range,
    rescale: samplesPerPixel === 1 ? modality.rescale : { slope: 1, intercept: 0 },
    ...(samplesPerPixel === 1 && modality.lut ? { modalityLut: modality.lut } : {}),
    voi: readVoi(dataSet, signedInput, warnings),
    invert: photometric === 'MONOCHROME1',
    transferSyntax: { uid: syntax.uid, name: syntax.name, lossy: syntax.lossy },
    ...(decoder ? { decoder } : {}),
    frames: module.frames,
    frameIndex,
    tags: readImageTags(dataSet),
    patient: readPatientInfo(dataSet),
    warnings,
  }
}

/** Grey of interleaved RGB and its range. */
function greyWithRange(rgb: Int32Array, maxValue: number): ModalityPixels {
  const pixels = convertToGrey(rgb, 3, maxValue).grey
  return { pixels, range: findRange(pixels) }
}

function readNative(
  byteArray: Uint8Array,
  element: { dataOffset: number; length: number; encapsulatedPixelData?: boolean },
  module: PixelModule,
  frameIndex: number,
  syntax: TransferSyntaxSpec,
  file: string,
  pixelBuffers: PixelBuffers | undefined,
): Int32Array {
  if (element.encapsulatedPixelData) {
    throw new ImagingError('CORRUPT_DATA', file, `Pixel Data is encapsulated although the transfer syntax (${syntax.name}) is not`)
  }
  const bytes = byteArray.subarray(element.dataOffset, element.dataOffset + element.length)
  const frameLength = nativeFrameLength(module)
  const needed = Math.ceil(frameLength * (frameIndex + 1))
  if (bytes.length < needed) {
    const layout = `${module.columns} x ${module.rows} x ${module.samplesPerPixel} samples x ${module.bitsAllocated} bits`
    throw new ImagingError('SHORT_PIXEL_DATA', file, `Pixel Data has ${bytes.length} bytes, frame ${frameIndex + 1} of ${layout} needs ${needed}`)
  }
  return readNativeFrame(bytes, module, frameIndex, syntax.bigEndian, pixelBuffers)
}

async function decodeEncapsulated(
  dataSet: Parameters<typeof readEncapsulatedFrame>[0],
  element: Parameters<typeof readEncapsulatedFrame>[1],
  module: PixelModule,
  frameIndex: number,
  syntax: TransferSyntaxSpec,
  file: string,
): Promise<{ frame: DecodedFrame; codec: string }> {
  if (!element.encapsulatedPixelData) {
    throw new ImagingError('CORRUPT_DATA', file, `Pixel Data is not encapsulated although the transfer syntax is ${syntax.name}`)
  }
  const fragmentCount = element.fragments?.length ?? 0
  if (fragmentCount > 0 && module.frames > fragmentCount) {
    throw new ImagingError('BAD_DIMENSIONS', file, `Number of Frames (0028,0008) = ${module.frames}, but Pixel Data holds only ${fragmentCount} fragment(s) and each frame needs one`)
  }
  let data: Uint8Array
  try {
    data = readEncapsulatedFrame(dataSet, element, frameIndex, module.frames, syntax.encoding)
  } catch (error) {
    const truncated = error instanceof FrameLayoutError && error.truncated
    throw new ImagingError(truncated ? 'TRUNCATED' : 'CORRUPT_DATA', file, `frame ${frameIndex + 1}: ${messageOf(error)}`, { cause: error })
  }
  const encoding = syntax.encoding as Exclude<typeof syntax.encoding, 'native'>
  const codec = selectCodec(encoding, data)
  checkCodestream(data, encoding, codec, module, frameIndex + 1, file)
  let frame: DecodedFrame
  try {
    frame = await codec.decode({ data, rows: module.rows, columns: module.columns, samplesPerPixel: module.samplesPerPixel, bitsAllocated: module.bitsAllocated, bitsStored: module.bitsStored, signed: module.signed })
  } catch (error) {
    if (error instanceof TruncatedCodestreamError) {
      throw new ImagingError('TRUNCATED', file, `frame ${frameIndex + 1} (${syntax.name}) is cut short or damaged: ${error.message}`, { cause: error })
    }
    throw new ImagingError('CODEC_FAILED', file, `${codec.name} could not decode frame ${frameIndex + 1} (${syntax.name}): ${messageOf(error)}`, { cause: error })
  }
  const expected = module.samplesPerPixel
  if (frame.width !== module.columns || frame.height !== module.rows || frame.components !== expected) {
    throw new ImagingError(
      'CODEC_FAILED',
      file,
      `${codec.name} decoded ${frame.width} x ${frame.height} x ${frame.components}, the header says ${module.columns} x ${module.rows} x ${expected}`,
    )
  }
  if (frame.samples.length < module.rows * module.columns * expected) {
    throw new ImagingError('CODEC_FAILED', file, `${codec.name} returned ${frame.samples.length} samples, ${module.rows * module.columns * expected} expected`)
  }
  return { frame, codec: codec.name }
}

/**
 * Codec samples to stored values. Signed data is sign-extended from Bits Stored (codecs return
 * unsigned bit patterns); unsigned values are kept as decoded, since masking would wrap the
 * overshoot of lossy codecs into nonsense.
 */
function toStoredValues(frame: DecodedFrame, module: PixelModule): Int32Array {
  const count = module.rows * module.columns * module.samplesPerPixel
  const samples = frame.samples
  // The project's own decoders hand over a buffer of their own in this type: taking it saves a copy and
  // a fresh 4-bytes-per-sample allocation, whose first touch costs more than the copy on large images.
  let stored: Int32Array
  if (samples instanceof Int32Array && samples.length === count) {
    stored = samples
  } else {
    stored = new Int32Array(count)
    if (ArrayBuffer.isView(samples) && !(samples instanceof DataView)) stored.set((samples as Uint16Array).subarray(0, count))
    else for (let i = 0; i < count; i++) stored[i] = samples[i]
  }
  if (module.signed) maskAndExtend(stored, { bitsStored: module.bitsStored, highBit: module.bitsStored - 1, bitsAllocated: module.bitsAllocated, signed: true })
  return stored
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message
  // Emscripten surfaces C++ exceptions as bare pointers; their text is not exported.
  if (typeof error === 'number') return 'the codec rejected the data (native exception)'
  return String(error)
}
