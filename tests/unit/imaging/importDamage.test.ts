import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createImagingService } from '../../../src-main/services/imaging'
import { writeDicom } from '../../../src-main/services/imaging/fixtures/writeDicom'
import { openLibrary, temporaryFolder } from '../library/support'
import { encodeJpegLosslessSv1, randomSamples } from './fixtureHelpers'

const cleanups: Array<() => void> = []
afterAll(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

function folder(prefix: string): string {
  const made = temporaryFolder(prefix)
  cleanups.push(made.cleanup)
  return made.path
}

describe('the import records what the decoder found wrong', () => {
  it('a cut JPEG Lossless file fails with TRUNCATED words; a file with decoder warnings is imported with decode-warning issues', async () => {
    const source = folder('cxr-damage-')
    const samples = randomSamples(64 * 48, 0, 4095, 12)
    const codestream = encodeJpegLosslessSv1(samples, 64, 48, 12)
    const jpll = (frame: Uint8Array) => writeDicom({ rows: 48, columns: 64, pixels: [], bitsStored: 12, syntax: 'encapsulated', transferSyntaxUid: '1.2.840.10008.1.2.4.70', encapsulatedFrames: [frame] })
    writeFileSync(join(source, 'whole.dcm'), jpll(codestream))
    writeFileSync(join(source, 'cut.dcm'), jpll(codestream.slice(0, codestream.length >> 1)))
    // High Bit 15 with Bits Stored 12 in a 16-bit word is legal; 20 is not: the decoder reads past it with a warning.
    writeFileSync(join(source, 'odd-header.dcm'), writeDicom({ rows: 48, columns: 64, pixels: samples, bitsStored: 12, highBit: 20 }))

    const library = openLibrary(folder('cxr-damage-data-'), { decode: (path, bytes) => createImagingService().decodeBuffer(bytes, path) })
    try {
      const { jobId } = await library.startImport({ spec: { kind: 'dicom-folder', dataset: { id: 'damaged' }, rootFolder: source, label: { kind: 'fixed', value: 'COVID-' }, thumbnails: false } })
      const report = await library.waitForImport({ jobId })
      expect(report.images).toMatchObject({ planned: 3, imported: 2, failed: 1 })
      const unreadable = report.issues.find((issue) => issue.code === 'unreadable')
      expect(unreadable?.message).toMatch(/cut\.dcm: frame 1 .* is cut short or damaged: the JPEG Lossless data ends before the image does/)
      const warning = report.issues.find((issue) => issue.code === 'decode-warning')
      expect(warning).toMatchObject({ severity: 'warning' })
      expect(warning?.message).toMatch(/^odd-header\.dcm: High Bit 20 is impossible with Bits Stored 12/)
      expect(report.issues.filter((issue) => issue.message.startsWith('whole.dcm'))).toEqual([])
    } finally {
      await library.close()
    }
  })
})
