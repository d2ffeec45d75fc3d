import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeImageBuffer } from '../../../src-main/services/imaging/decode'
import { writeDicom } from '../../../src-main/services/imaging/fixtures/writeDicom'
import { damagedCopies, decodeWithin, encodeFlatBlockJpeg, encodeJpeg2000, encodeJpegLosslessSv1, encodeJpegLs, randomSamples } from './fixtureHelpers'

const ROWS = 40
const COLUMNS = 36
const samples = randomSamples(ROWS * COLUMNS, 0, 4095, 60)

async function fixtures(): Promise<Array<[string, Uint8Array]>> {
  const encapsulated = (uid: string, frame: Uint8Array) =>
    writeDicom({ rows: ROWS, columns: COLUMNS, pixels: [], bitsStored: 12, syntax: 'encapsulated', transferSyntaxUid: uid, encapsulatedFrames: [frame] })
  const levels = randomSamples(Math.ceil(COLUMNS / 8) * Math.ceil(ROWS / 8), 0, 4095, 61)
  return [
    ['explicit LE', writeDicom({ rows: ROWS, columns: COLUMNS, pixels: samples, bitsStored: 12, windows: [{ center: 2000, width: 4000 }] })],
    ['implicit LE, ACR-NEMA', writeDicom({ rows: ROWS, columns: COLUMNS, pixels: samples, syntax: 'implicit-little', layout: 'acr-nema' })],
    ['deflated', writeDicom({ rows: ROWS, columns: COLUMNS, pixels: samples, syntax: 'deflated' })],
    ['big endian', writeDicom({ rows: ROWS, columns: COLUMNS, pixels: samples, syntax: 'explicit-big' })],
    ['RLE', writeDicom({ rows: ROWS, columns: COLUMNS, pixels: samples, syntax: 'rle' })],
    ['JPEG Lossless', encapsulated('1.2.840.10008.1.2.4.70', encodeJpegLosslessSv1(samples, COLUMNS, ROWS, 12))],
    ['JPEG-LS', encapsulated('1.2.840.10008.1.2.4.80', await encodeJpegLs(samples, COLUMNS, ROWS, 12))],
    ['JPEG 2000', encapsulated('1.2.840.10008.1.2.4.90', await encodeJpeg2000(samples, COLUMNS, ROWS, 12))],
    ['JPEG 12-bit', encapsulated('1.2.840.10008.1.2.4.51', encodeFlatBlockJpeg(levels, COLUMNS, ROWS, 12, 3))],
    ['PNG', await sharp(Uint8Array.from(samples, (v) => v >> 4), { raw: { width: COLUMNS, height: ROWS, channels: 1 } }).toColourspace('b-w').png().toBuffer()],
  ]
}

describe('damaged generated files give an image or an ImagingError, never anything else', () => {
  it('truncations and seeded bit flips of every encoding', async () => {
    const started = performance.now()
    const breaches: string[] = []
    const tally: Record<string, number> = {}
    for (const [name, bytes] of await fixtures()) {
      expect((await decodeWithin(decodeImageBuffer(bytes, name), 5000)).kind, name).toBe('image')
      for (const copy of damagedCopies(bytes, 7, 6)) {
        const outcome = await decodeWithin(decodeImageBuffer(copy.bytes, `${name}.dcm`), 5000)
        const key = outcome.kind === 'imaging-error' ? outcome.code : outcome.kind
        tally[key] = (tally[key] ?? 0) + 1
        if (outcome.kind === 'other') breaches.push(`${name}, ${copy.label}: ${String(outcome.error)}`)
        if (outcome.kind === 'image') expect(outcome.image.stored.length).toBe(outcome.image.width * outcome.image.height * outcome.image.samplesPerPixel)
      }
    }
    console.info('generated-file damage outcomes:', JSON.stringify(tally), `${Math.round(performance.now() - started)} ms`)
    expect(breaches).toEqual([])
  })
})
