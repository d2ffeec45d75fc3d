import { describe, expect, it } from 'vitest'
import { decodeImageBuffer } from '../../../src-main/services/imaging/decode'
import { writeDicom, type DicomFixtureSpec } from '../../../src-main/services/imaging/fixtures/writeDicom'
import { randomSamples } from './fixtureHelpers'

const ROWS = 23
const COLUMNS = 17 // odd sizes catch stride and padding mistakes
const PIXELS = ROWS * COLUMNS

async function roundTrip(spec: Partial<DicomFixtureSpec> & { pixels: ArrayLike<number> }, frame?: number) {
  const bytes = writeDicom({ rows: ROWS, columns: COLUMNS, ...spec })
  return decodeImageBuffer(bytes, 'fixture.dcm', frame === undefined ? {} : { frame })
}

describe('native transfer syntaxes round-trip exactly', () => {
  const unsigned12 = randomSamples(PIXELS, 0, 4095, 1)
  for (const syntax of ['explicit-little', 'implicit-little', 'explicit-big', 'deflated'] as const) {
    it(`16-bit words, 12 bits stored, ${syntax}`, async () => {
      const image = await roundTrip({ pixels: unsigned12, bitsStored: 12, syntax })
      expect(Array.from(image.stored)).toEqual(unsigned12)
      expect(Array.from(image.pixels)).toEqual(unsigned12)
      expect([image.width, image.height, image.bitsAllocated, image.bitsStored, image.highBit]).toEqual([COLUMNS, ROWS, 16, 12, 11])
      expect(image.source).toBe('dicom')
      expect(image.pixelRange).toEqual({ min: Math.min(...unsigned12), max: Math.max(...unsigned12) })
    })
  }

  it('reports the transfer syntax and the tags, PHI apart', async () => {
    const image = await roundTrip({ pixels: unsigned12, syntax: 'deflated' })
    expect(image.transferSyntax).toEqual({ uid: '1.2.840.10008.1.2.1.99', name: 'Deflated Explicit VR Little Endian', lossy: false })
    expect(image.tags).toMatchObject({ modality: 'CR', bodyPartExamined: 'CHEST', viewPosition: 'PA' })
    expect(image.patient).toMatchObject({ patientId: 'FIXTURE-1', sex: 'O' })
    expect(JSON.stringify(image.tags)).not.toContain('FIXTURE-1')
  })

  for (const layout of ['meta-without-preamble', 'acr-nema'] as const) {
    for (const syntax of ['implicit-little', 'explicit-little'] as const) {
      it(`${layout} layout, ${syntax}`, async () => {
        const image = await roundTrip({ pixels: unsigned12, syntax, layout })
        expect(Array.from(image.stored)).toEqual(unsigned12)
        expect(image.warnings.join(' ')).toMatch(/preamble|File Meta/)
      })
    }
  }

  it('masks bits outside Bits Stored (overlay garbage) and honours a shifted High Bit', async () => {
    const masked = await roundTrip({ pixels: unsigned12, bitsStored: 12, fillUnusedBits: true })
    expect(Array.from(masked.stored)).toEqual(unsigned12)
    const shifted = await roundTrip({ pixels: unsigned12, bitsStored: 12, highBit: 15, fillUnusedBits: true })
    expect(Array.from(shifted.stored)).toEqual(unsigned12)
  })

  it('sign-extends signed 16-bit and 12-bit data and applies rescale', async () => {
    const signed = randomSamples(PIXELS, -32768, 32767, 2)
    const image = await roundTrip({ pixels: signed, signed: true, rescale: { slope: 1, intercept: -1024, type: 'HU' } })
    expect(Array.from(image.stored)).toEqual(signed)
    expect(Array.from(image.pixels)).toEqual(signed.map((v) => v - 1024))
    expect(image.pixelRepresentation).toBe('signed')
    expect(image.rescale).toEqual({ slope: 1, intercept: -1024, type: 'HU' })

    const signed12 = randomSamples(PIXELS, -2048, 2047, 3)
    const twelve = await roundTrip({ pixels: signed12, signed: true, bitsStored: 12, fillUnusedBits: true, rescale: { slope: 0.5, intercept: 10 } })
    expect(Array.from(twelve.stored)).toEqual(signed12)
    expect(Array.from(twelve.pixels)).toEqual(signed12.map((v) => v * 0.5 + 10))
  })

  it('reads 8-bit, 32-bit and 1-bit samples', async () => {
    const eight = randomSamples(PIXELS, 0, 255, 4)
    expect(Array.from((await roundTrip({ pixels: eight, bitsAllocated: 8 })).stored)).toEqual(eight)
    const big = randomSamples(PIXELS, 0, 2 ** 31 - 1, 5)
    expect(Array.from((await roundTrip({ pixels: big, bitsAllocated: 32 })).stored)).toEqual(big)
    const bits = randomSamples(PIXELS, 0, 1, 6)
    expect(Array.from((await roundTrip({ pixels: bits, bitsAllocated: 1 })).stored)).toEqual(bits)
  })

  it('flags MONOCHROME1 for inversion', async () => {
    const image = await roundTrip({ pixels: unsigned12, photometric: 'MONOCHROME1' })
    expect(image.photometric).toBe('MONOCHROME1')
    expect(image.invert).toBe(true)
  })

  for (const planarConfiguration of [0, 1] as const) {
    it(`RGB with planar configuration ${planarConfiguration} comes back interleaved, grey is BT.601 luma`, async () => {
      const rgb = randomSamples(PIXELS * 3, 0, 255, 7)
      const image = await roundTrip({ pixels: rgb, samplesPerPixel: 3, bitsAllocated: 8, planarConfiguration })
      expect(image.samplesPerPixel).toBe(3)
      expect(image.photometric).toBe('RGB')
      expect(Array.from(image.stored)).toEqual(rgb)
      expect(image.pixels[5]).toBeCloseTo(0.299 * rgb[15] + 0.587 * rgb[16] + 0.114 * rgb[17], 3)
    })
  }

  it('converts native YBR_FULL to RGB', async () => {
    const grey = Array.from({ length: PIXELS }, (_, i) => i % 256)
    const ybr = grey.flatMap((y) => [y, 128, 128]) // zero chroma: R = G = B = Y
    const image = await roundTrip({ pixels: ybr, samplesPerPixel: 3, bitsAllocated: 8, photometric: 'YBR_FULL' })
    expect(Array.from(image.stored)).toEqual(grey.flatMap((y) => [y, y, y]))
    expect(image.photometricInFile).toBe('YBR_FULL')
  })

  it('expands native YBR_FULL_422 (two pixels share chroma) to RGB', async () => {
    const y = Array.from({ length: 4 * 2 }, (_, i) => 10 * i)
    const packed = [0, 2, 4, 6].flatMap((p) => [y[p], y[p + 1], 128, 128]) // Y1 Y2 Cb Cr, neutral chroma
    const bytes = writeDicom({ rows: 2, columns: 4, pixels: [], samplesPerPixel: 3, bitsAllocated: 8, photometric: 'YBR_FULL_422', pixelDataBytes: Uint8Array.from(packed) })
    const image = await decodeImageBuffer(bytes, 'ybr422.dcm')
    expect(Array.from(image.stored)).toEqual(y.flatMap((v) => [v, v, v]))
  })

  it('maps PALETTE COLOR indices through the palette LUTs', async () => {
    const indices = [0, 1, 2, 3, 3, 2]
    const palette = (values: number[]) => [
      { tag: 0, vr: 'US', value: [4, 0, 8] },
      { tag: 1, vr: 'OW', value: Uint16Array.from(values) },
    ]
    const [red, green, blue] = [palette([0, 255, 10, 20]), palette([0, 128, 30, 40]), palette([0, 0, 50, 60])]
    const extraElements = [red, green, blue].flatMap(([descriptor, data], c) => [
      { ...descriptor, tag: 0x00281101 + c },
      { ...data, tag: 0x00281201 + c },
    ])
    const bytes = writeDicom({ rows: 2, columns: 3, pixels: indices, bitsAllocated: 8, photometric: 'PALETTE COLOR', extraElements })
    const image = await decodeImageBuffer(bytes, 'palette.dcm')
    expect(image.photometric).toBe('RGB')
    expect(Array.from(image.stored.subarray(0, 12))).toEqual([0, 0, 0, 255, 128, 0, 10, 30, 50, 20, 40, 60])
  })

  it('decodes each frame of a multi-frame object and rejects a frame beyond it', async () => {
    const frames = randomSamples(PIXELS * 3, 0, 65535, 8)
    for (let f = 0; f < 3; f++) {
      const image = await roundTrip({ pixels: frames, frames: 3 }, f)
      expect(Array.from(image.stored)).toEqual(frames.slice(f * PIXELS, (f + 1) * PIXELS))
      expect([image.frames, image.frameIndex]).toEqual([3, f])
    }
    await expect(roundTrip({ pixels: frames, frames: 3 }, 3)).rejects.toMatchObject({ code: 'BAD_FRAME' })
  })
})

describe('RLE Lossless round-trips exactly', () => {
  const cases: Array<[string, Partial<DicomFixtureSpec> & { pixels: number[] }]> = [
    ['8-bit grey', { pixels: randomSamples(PIXELS, 0, 255, 10), bitsAllocated: 8 }],
    ['16-bit grey', { pixels: randomSamples(PIXELS, 0, 65535, 11) }],
    ['signed 16-bit', { pixels: randomSamples(PIXELS, -32768, 32767, 12), signed: true }],
    ['8-bit RGB', { pixels: randomSamples(PIXELS * 3, 0, 255, 13), bitsAllocated: 8, samplesPerPixel: 3 }],
    ['32-bit grey', { pixels: randomSamples(PIXELS, 0, 2 ** 31 - 1, 14), bitsAllocated: 32 }],
    ['long runs', { pixels: Array.from({ length: PIXELS }, (_, i) => (i < 300 ? 7 : i)), bitsAllocated: 16 }],
  ]
  for (const [name, spec] of cases) {
    it(name, async () => {
      const image = await roundTrip({ ...spec, syntax: 'rle' })
      expect(Array.from(image.stored)).toEqual(spec.pixels)
      expect(image.transferSyntax.name).toBe('RLE Lossless')
    })
  }

  it('multi-frame with and without a Basic Offset Table, fragmented', async () => {
    const frames = randomSamples(PIXELS * 3, 0, 4095, 15)
    for (const basicOffsetTable of [true, false]) {
      const image = await roundTrip({ pixels: frames, frames: 3, syntax: 'rle', basicOffsetTable }, 2)
      expect(Array.from(image.stored)).toEqual(frames.slice(2 * PIXELS))
    }
    const single = await roundTrip({ pixels: frames.slice(0, PIXELS), syntax: 'rle', fragmentSize: 100 })
    expect(Array.from(single.stored)).toEqual(frames.slice(0, PIXELS))
  })
})

describe('grey-level transforms are read from the file', () => {
  const pixels = randomSamples(PIXELS, 0, 1023, 20)

  it('several windows with explanations and the SIGMOID function', async () => {
    const windows = [
      { center: 512, width: 1024, explanation: 'FULL' },
      { center: 300.5, width: 200, explanation: 'LUNG' },
    ]
    const image = await roundTrip({ pixels, windows, voiFunction: 'SIGMOID' })
    expect(image.voi.windows).toEqual(windows)
    expect(image.voi.function).toBe('SIGMOID')
  })

  it('a Modality LUT Sequence replaces rescale', async () => {
    const data = Array.from({ length: 1024 }, (_, i) => 4000 - 3 * i)
    const image = await roundTrip({ pixels, modalityLut: { firstInputValue: 0, bitsPerEntry: 16, data } })
    expect(Array.from(image.pixels)).toEqual(pixels.map((v) => data[v]))
    expect(image.modalityLut?.data.length).toBe(1024)
  })

  it('a Modality LUT clamps inputs outside its range; signed first value', async () => {
    const signed = [-600, -500, -499, 0, 10, 900]
    const data = Array.from({ length: 1000 }, (_, i) => i)
    const bytes = writeDicom({ rows: 1, columns: 6, pixels: signed, signed: true, modalityLut: { firstInputValue: -500, bitsPerEntry: 16, data } })
    const image = await decodeImageBuffer(bytes, 'lut.dcm')
    expect(Array.from(image.pixels)).toEqual([0, 0, 1, 500, 510, 999])
  })

  it('LUT sequences and windows read the same in implicit VR and big endian files', async () => {
    const data = Array.from({ length: 1024 }, (_, i) => 4000 - 3 * i)
    for (const syntax of ['implicit-little', 'explicit-big'] as const) {
      const image = await roundTrip({ pixels, syntax, modalityLut: { firstInputValue: 0, bitsPerEntry: 16, data }, windows: [{ center: 100, width: 50 }] })
      expect(Array.from(image.pixels), syntax).toEqual(pixels.map((v) => data[v]))
      expect(image.voi.windows, syntax).toEqual([{ center: 100, width: 50 }])
    }
  })

  it('a VOI LUT Sequence is kept for display', async () => {
    const data = Array.from({ length: 1024 }, (_, i) => 255 - (i >> 2))
    const image = await roundTrip({ pixels, voiLut: { firstInputValue: 0, bitsPerEntry: 8, data } })
    expect(image.voi.luts).toHaveLength(1)
    expect(Array.from(image.voi.luts[0].data)).toEqual(data)
  })
})
