/**
 * Helpers for imaging tests: seeded random numbers, test images, small encoders that make
 * compressed frames with known content (JPEG Lossless SV1, 12-bit flat-block JPEG) and access to
 * the encoders shipped in the codec packages (JPEG-LS, JPEG 2000, JPEG baseline).
 */
import { isImagingError } from '@shared/imaging/errors'
import { mulberry32 } from '@shared/metrics/random'
import type { DecodedImage } from '@shared/imaging/types'

/** Deterministic PRNG (the project's mulberry32) so failures reproduce. */
export const seededRandom = mulberry32

/** Integers in [min, max], with runs (so RLE has something to compress) and noise. */
export function randomSamples(count: number, min: number, max: number, seed: number): number[] {
  const random = seededRandom(seed)
  const out: number[] = []
  while (out.length < count) {
    const value = min + Math.floor(random() * (max - min + 1))
    const run = random() < 0.3 ? 1 + Math.floor(random() * 20) : 1
    for (let i = 0; i < run && out.length < count; i++) out.push(value)
  }
  return out
}

/** Outcome of decoding something that may be damaged: an image, an ImagingError, or a contract breach. */
export type DecodeOutcome = { kind: 'image'; image: DecodedImage } | { kind: 'imaging-error'; code: string } | { kind: 'other'; error: unknown }

/** Run a decode with a time bound; anything but an image or an ImagingError is reported as 'other'. */
export async function decodeWithin(promise: Promise<DecodedImage>, milliseconds: number): Promise<DecodeOutcome> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`decode did not finish within ${milliseconds} ms`)), milliseconds)
  })
  try {
    const image = await Promise.race([promise, timeout])
    return { kind: 'image', image }
  } catch (error) {
    return isImagingError(error) ? { kind: 'imaging-error', code: error.code } : { kind: 'other', error }
  } finally {
    clearTimeout(timer)
  }
}

/** Copies of `bytes` with `flips` random bits inverted, avoiding the first `protect` bytes. */
export function withBitFlips(bytes: Uint8Array, flips: number, seed: number, protect = 0): Uint8Array {
  const random = seededRandom(seed)
  const copy = new Uint8Array(bytes)
  for (let i = 0; i < flips; i++) {
    const position = protect + Math.floor(random() * (copy.length - protect))
    copy[position] ^= 1 << Math.floor(random() * 8)
  }
  return copy
}

/** Bit writer with JPEG byte stuffing (0xFF is followed by 0x00). */
class JpegBitWriter {
  readonly bytes: number[] = []
  private current = 0
  private count = 0
  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.current = (this.current << 1) | ((value >> i) & 1)
      if (++this.count === 8) this.flushByte()
    }
  }
  finish(): void {
    if (this.count > 0) this.write(0xff, 8 - this.count) // pad with ones (T.81 F.1.2.3)
  }
  private flushByte(): void {
    this.bytes.push(this.current)
    if (this.current === 0xff) this.bytes.push(0)
    this.current = 0
    this.count = 0
  }
}

function segment(marker: number, body: number[]): number[] {
  const length = body.length + 2
  return [0xff, marker, length >> 8, length & 0xff, ...body]
}

function magnitudeCategory(value: number): number {
  let size = 0
  for (let v = Math.abs(value); v > 0; v >>= 1) size++
  return size
}

/** Five-bit codes for every category 0..16: a valid, if not optimal, Huffman table. */
const CATEGORY_TABLE = { counts: [0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], symbols: Array.from({ length: 17 }, (_, i) => i) }

/**
 * Encode a single-component image as JPEG Lossless process 14 with predictor 1 (SV1), the
 * DICOM 1.2.840.10008.1.2.4.70 bitstream. Values must fit `precision` bits.
 */
export function encodeJpegLosslessSv1(samples: ArrayLike<number>, width: number, height: number, precision: number): Uint8Array {
  const writer = new JpegBitWriter()
  const modulus = 65536
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x
      const predictor = x === 0 && y === 0 ? 1 << (precision - 1) : x === 0 ? samples[i - width] : samples[i - 1]
      let difference = (samples[i] - predictor) % modulus
      if (difference >= 32768) difference -= modulus
      if (difference < -32767) difference += modulus
      const category = difference === -32768 || difference === 32768 ? 16 : magnitudeCategory(difference)
      writer.write(category, 5)
      if (category > 0 && category < 16) writer.write(difference < 0 ? difference - 1 + (1 << category) : difference, category)
    }
  }
  writer.finish()
  return Uint8Array.from([
    0xff, 0xd8,
    ...segment(0xc3, [precision, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
    ...segment(0xc4, [0x00, ...CATEGORY_TABLE.counts, ...CATEGORY_TABLE.symbols]),
    ...segment(0xda, [1, 1, 0x00, 1, 0, 0]),
    ...writer.bytes,
    0xff, 0xd9,
  ])
}

/**
 * Encode a greyscale 12-bit (or 8-bit) sequential DCT JPEG whose 8x8 blocks are flat: only DC
 * coefficients, quantiser 1, so block value v decodes exactly to v (DC = 8 (v - 2^(P-1))).
 * `levels` holds one value per block (ceil(width/8) x ceil(height/8), row-major). Optional
 * restart interval (in blocks).
 */
export function encodeFlatBlockJpeg(levels: number[], width: number, height: number, precision: number, restartInterval = 0): Uint8Array {
  const writer = new JpegBitWriter()
  const center = 1 << (precision - 1)
  const body: number[] = []
  let predictor = 0
  levels.forEach((level, index) => {
    if (restartInterval > 0 && index > 0 && index % restartInterval === 0) {
      writer.finish()
      body.push(...writer.bytes.splice(0), 0xff, 0xd0 + (((index / restartInterval) - 1) % 8))
      predictor = 0
    }
    const dc = 8 * (level - center)
    const difference = dc - predictor
    predictor = dc
    const category = magnitudeCategory(difference)
    writer.write(category, 5)
    if (category > 0) writer.write(difference < 0 ? difference - 1 + (1 << category) : difference, category)
    writer.write(0, 1) // AC table: a single one-bit code for EOB
  })
  writer.finish()
  body.push(...writer.bytes)
  const quant = [0x10, ...Array.from({ length: 64 }, () => [0, 1]).flat()] // 16-bit table of ones
  const acTable = [0x10, 1, ...Array.from({ length: 15 }, () => 0), 0x00]
  return Uint8Array.from([
    0xff, 0xd8,
    ...segment(0xdb, quant),
    ...segment(0xc1, [precision, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
    ...segment(0xc4, [0x00, ...CATEGORY_TABLE.counts, ...CATEGORY_TABLE.symbols]),
    ...segment(0xc4, acTable),
    ...(restartInterval > 0 ? segment(0xdd, [restartInterval >> 8, restartInterval & 0xff]) : []),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    ...body,
    0xff, 0xd9,
  ])
}

interface WasmEncoder {
  getDecodedBuffer(info: object): Uint8Array
  getEncodedBuffer(): Uint8Array
  encode(): void
  delete(): void
}

async function runEncoder(encoder: WasmEncoder, info: object, samples: ArrayLike<number>, bytesPerSample: number): Promise<Uint8Array> {
  try {
    const input = encoder.getDecodedBuffer(info)
    const view = new DataView(input.buffer, input.byteOffset, input.byteLength)
    for (let i = 0; i < samples.length; i++) {
      if (bytesPerSample === 1) input[i] = samples[i]
      else view.setUint16(2 * i, samples[i] & 0xffff, true)
    }
    encoder.encode()
    return new Uint8Array(encoder.getEncodedBuffer())
  } finally {
    encoder.delete()
  }
}

// Emscripten adopts the options object as its Module: each instance needs a fresh one.
const silent = () => ({ print: () => undefined, printErr: () => undefined })
const charls = (async () => (await import('@cornerstonejs/codec-charls/wasmjs')).default(silent()))()
const openjpeg = (async () => (await import('@cornerstonejs/codec-openjpeg/wasmjs')).default(silent()))()
const libjpegTurbo = (async () => (await import('@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs')).default(silent()))()

/** JPEG-LS (CharLS) encoding of interleaved samples; nearLossless 0 is lossless. */
export async function encodeJpegLs(samples: ArrayLike<number>, width: number, height: number, bitsPerSample: number, components = 1, nearLossless = 0): Promise<Uint8Array> {
  const codec = await charls
  const encoder = new codec.JpegLSEncoder()
  encoder.setNearLossless(nearLossless)
  return runEncoder(encoder, { width, height, bitsPerSample, componentCount: components }, samples, bitsPerSample > 8 ? 2 : 1)
}

/** Lossless JPEG 2000 (OpenJPEG) encoding of greyscale samples. */
export async function encodeJpeg2000(samples: ArrayLike<number>, width: number, height: number, bitsPerSample: number, signed = false): Promise<Uint8Array> {
  const codec = await openjpeg
  const encoder = new codec.J2KEncoder()
  encoder.setQuality(true, 0)
  // OpenJPEG refuses more resolution levels than the image size allows (default 5 needs >= 32 px).
  encoder.setDecompositions(Math.max(0, Math.min(5, Math.floor(Math.log2(Math.min(width, height))) - 1)))
  return runEncoder(encoder, { width, height, bitsPerSample, componentCount: 1, isSigned: signed, isUsingColorTransform: false }, samples, bitsPerSample > 8 ? 2 : 1)
}

/** 8-bit baseline JPEG (libjpeg-turbo) encoding of greyscale samples. */
export async function encodeJpegBaseline(samples: ArrayLike<number>, width: number, height: number, quality = 90): Promise<Uint8Array> {
  const codec = await libjpegTurbo
  const encoder = new codec.JPEGEncoder()
  encoder.setQuality(quality)
  encoder.setProgressive(false)
  return runEncoder(encoder, { width, height, bitsPerSample: 8, componentCount: 1, isSigned: false }, samples, 1)
}

/** A damaged variant of a file, with a label for failure messages. */
export interface DamagedCopy {
  label: string
  bytes: Uint8Array
}

/**
 * Truncations at several lengths (inside the preamble, the header and the pixels) and seeded
 * random bit flips, some anywhere and some confined to the first kilobyte where the header is.
 */
export function damagedCopies(bytes: Uint8Array, seed: number, flipCopies = 6): DamagedCopy[] {
  const lengths = [0, 10, 131, 140, 400, ...[0.25, 0.5, 0.75, 0.9, 0.999].map((f) => Math.floor(bytes.length * f))]
  const copies: DamagedCopy[] = lengths.filter((l) => l < bytes.length).map((l) => ({ label: `truncated to ${l} bytes`, bytes: bytes.slice(0, l) }))
  for (let i = 0; i < flipCopies; i++) {
    const flips = [1, 4, 32][i % 3]
    copies.push({ label: `${flips} bit flips (seed ${seed + i})`, bytes: withBitFlips(bytes, flips, seed + i, 132) })
    const header = bytes.subarray(0, Math.min(bytes.length, 1024))
    const damagedHeader = new Uint8Array(bytes)
    damagedHeader.set(withBitFlips(header, flips, seed + 100 + i, 132))
    copies.push({ label: `${flips} header bit flips (seed ${seed + 100 + i})`, bytes: damagedHeader })
  }
  return copies
}
