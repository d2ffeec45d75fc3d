import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeImageBuffer, detectImageFormat } from '../../../src-main/services/imaging/decode'
import { convertToGrey, LUMA_WEIGHTS } from '../../../src-main/services/imaging/greyscale'
import { randomSamples } from './fixtureHelpers'

const WIDTH = 19
const HEIGHT = 11
const PIXELS = WIDTH * HEIGHT

function raw(samples: number[] | Uint16Array, channels: 1 | 2 | 3 | 4) {
  const data = samples instanceof Uint16Array ? samples : Uint8Array.from(samples)
  const image = sharp(data, { raw: { width: WIDTH, height: HEIGHT, channels } })
  // sharp writes sRGB unless told the raw data is grey.
  return channels <= 2 && !(samples instanceof Uint16Array) ? image.toColourspace('b-w') : image
}

describe('PNG files decode exactly', () => {
  it('8-bit grey', async () => {
    const grey = randomSamples(PIXELS, 0, 255, 50)
    const image = await decodeImageBuffer(await raw(grey, 1).png().toBuffer(), 'grey.png')
    expect(image).toMatchObject({ source: 'png', width: WIDTH, height: HEIGHT, samplesPerPixel: 1, bitsStored: 8, photometric: 'MONOCHROME2', invert: false })
    expect(Array.from(image.stored)).toEqual(grey)
    expect(Array.from(image.pixels)).toEqual(grey)
  })

  it('16-bit grey keeps all 16 bits', async () => {
    const grey = Uint16Array.from(randomSamples(PIXELS, 0, 65535, 51))
    const png = await raw(grey, 1).toColourspace('grey16').png().toBuffer()
    const image = await decodeImageBuffer(png, 'grey16.png')
    expect([image.bitsAllocated, image.bitsStored]).toEqual([16, 16])
    expect(Array.from(image.stored)).toEqual(Array.from(grey))
  })

  it('16-bit RGB and 16-bit grey + alpha', async () => {
    const rgb = Uint16Array.from(randomSamples(PIXELS * 3, 0, 65535, 54))
    const colour = await decodeImageBuffer(await raw(rgb, 3).toColourspace('rgb16').png().toBuffer(), 'rgb16.png')
    expect([colour.samplesPerPixel, colour.bitsStored]).toEqual([3, 16])
    expect(Array.from(colour.stored)).toEqual(Array.from(rgb))
    const greyAlpha = Uint16Array.from(Array.from({ length: PIXELS }, (_, i) => [1000 * (i % 60), i % 2 ? 65535 : 0]).flat())
    const grey = await decodeImageBuffer(await raw(greyAlpha, 2).toColourspace('grey16').png().toBuffer(), 'grey16a.png')
    expect([grey.samplesPerPixel, grey.bitsStored]).toEqual([1, 16])
    expect(Array.from(grey.stored.subarray(0, 4))).toEqual([0, 1000, 0, 3000])
  })

  it('RGB becomes BT.601 luma; stored keeps the colour samples', async () => {
    const rgb = randomSamples(PIXELS * 3, 0, 255, 52)
    const image = await decodeImageBuffer(await raw(rgb, 3).png().toBuffer(), 'colour.png')
    expect(image.samplesPerPixel).toBe(3)
    expect(Array.from(image.stored)).toEqual(rgb)
    const [r, g, b] = LUMA_WEIGHTS
    expect(image.pixels[7]).toBeCloseTo(r * rgb[21] + g * rgb[22] + b * rgb[23], 4)
  })

  it('alpha is composited on black (RGBA and grey + alpha)', async () => {
    const rgba = Array.from({ length: PIXELS }, (_, i) => [200, 100, 50, i % 2 === 0 ? 255 : 0]).flat()
    const image = await decodeImageBuffer(await raw(rgba, 4).png().toBuffer(), 'alpha.png')
    expect(Array.from(image.stored.subarray(0, 6))).toEqual([200, 100, 50, 0, 0, 0])
    expect(image.warnings.join()).toMatch(/composited on black/)
    const greyAlpha = Array.from({ length: PIXELS }, () => [200, 128]).flat()
    const grey = await decodeImageBuffer(await raw(greyAlpha, 2).png().toBuffer(), 'grey-alpha.png')
    expect(grey.samplesPerPixel).toBe(1)
    expect(grey.stored[0]).toBe(Math.round((200 * 128) / 255))
  })

  it('palette PNG expands to its colours', async () => {
    const colours = [[0, 0, 0], [255, 255, 255], [90, 90, 90], [30, 160, 220]]
    const rgb = Array.from({ length: PIXELS }, (_, i) => colours[i % 4]).flat()
    const png = await raw(rgb, 3).png({ palette: true, colours: 4, dither: 0 }).toBuffer()
    expect((await sharp(png).metadata()).isPalette).toBe(true)
    const image = await decodeImageBuffer(png, 'palette.png')
    expect(Array.from(image.stored)).toEqual(rgb)
    expect(image.photometricInFile).toMatch(/palette/)
  })
})

describe('JPEG files', () => {
  it('grey JPEG decodes close to its source', async () => {
    const grey = Array.from({ length: PIXELS }, (_, i) => 40 + (i % WIDTH) * 8)
    const image = await decodeImageBuffer(await raw(grey, 1).jpeg({ quality: 100 }).toBuffer(), 'grey.jpg')
    expect(image).toMatchObject({ source: 'jpeg', samplesPerPixel: 1, transferSyntax: { lossy: true } })
    expect(Math.max(...Array.from(image.stored, (v, i) => Math.abs(v - grey[i])))).toBeLessThanOrEqual(3)
  })

  it('colour JPEG of a grey radiograph gives nearly equal luma', async () => {
    const grey = Array.from({ length: PIXELS }, (_, i) => 20 + (i % 200))
    const image = await decodeImageBuffer(await raw(grey.flatMap((v) => [v, v, v]), 3).jpeg({ quality: 100 }).toBuffer(), 'rgb.jpg')
    expect(image.samplesPerPixel).toBe(3)
    expect(Math.max(...Array.from(image.pixels, (v, i) => Math.abs(v - grey[i])))).toBeLessThanOrEqual(3)
  })

  it('a truncated JPEG is TRUNCATED or CODEC_FAILED, never another error', async () => {
    const jpeg = await raw(randomSamples(PIXELS, 0, 255, 53), 1).jpeg().toBuffer()
    const error = await decodeImageBuffer(jpeg.subarray(0, jpeg.length / 2), 'cut.jpg').catch((e: unknown) => e)
    expect(['TRUNCATED', 'CODEC_FAILED']).toContain((error as { code?: string }).code)
  })
})

describe('format detection and the shared grey conversion', () => {
  it('recognises formats by content, not by name', () => {
    expect(detectImageFormat(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toEqual({ kind: 'png' })
    expect(detectImageFormat(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0))).toEqual({ kind: 'jpeg' })
    expect(detectImageFormat(new TextEncoder().encode('%PDF-1.7'))).toEqual({ kind: 'other', name: 'PDF' })
  })

  it('convertToGrey handles 1 to 4 channels with one rule', () => {
    expect(Array.from(convertToGrey([10, 20], 1, 255).grey)).toEqual([10, 20])
    expect(Array.from(convertToGrey([255, 255, 0, 0], 2, 255).samples)).toEqual([255, 0])
    const rgb = convertToGrey([255, 0, 0], 3, 255)
    expect(rgb.grey[0]).toBeCloseTo(76.245, 3)
    expect(Array.from(convertToGrey([65535, 0, 0, 32768], 4, 65535).samples)).toEqual([32768, 0, 0])
  })
})
