import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { encodeGreyPng } from '../../../../src-main/services/imaging/export/png'
import { fitMaskToImage, readBinaryMask } from '../../../../src-main/services/lung/training/maskFiles'
import { listIndexCsvPairs, listMaskFolderPairs, listMontgomeryPairs } from '../../../../src-main/services/lung/training/maskPairs'
import { readColumnByFileName } from '../../../../src-main/services/lung/training/lungDataset'
import { websiteOf } from '../../../../src-main/services/lung/training/sharedLungSources'
import { maskFromRows } from '@shared/lung'

async function writePng(path: string, rows: number[][]): Promise<void> {
  const samples = Uint8Array.from(rows.flat())
  writeFileSync(path, await encodeGreyPng(samples, rows[0].length, rows.length))
}

describe('mask pair layouts', () => {
  it('Montgomery: left + right masks merged by union', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cxr-montgomery-'))
    for (const folder of ['CXR_png', 'ManualMask/leftMask', 'ManualMask/rightMask']) mkdirSync(join(root, folder), { recursive: true })
    await writePng(join(root, 'CXR_png', 'MCUCXR_0001_0.png'), [[10, 20, 30, 40]])
    await writePng(join(root, 'ManualMask', 'leftMask', 'MCUCXR_0001_0.png'), [[0, 0, 255, 255]])
    await writePng(join(root, 'ManualMask', 'rightMask', 'MCUCXR_0001_0.png'), [[255, 0, 0, 0]])
    await writePng(join(root, 'CXR_png', 'MCUCXR_0002_0.png'), [[1, 2, 3, 4]])
    await writePng(join(root, 'ManualMask', 'leftMask', 'MCUCXR_0002_0.png'), [[0, 0, 0, 255]])
    const listing = await listMontgomeryPairs({ sourceId: 'montgomery', root })
    expect(listing.pairs.map((pair) => pair.id)).toEqual(['montgomery/MCUCXR_0001_0.png'])
    expect(listing.skipped).toEqual([{ file: join(root, 'CXR_png', 'MCUCXR_0002_0.png'), reason: 'missing rightMask' }])
    const mask = await readBinaryMask(listing.pairs[0].maskPaths)
    expect(Array.from(mask.data)).toEqual([255, 0, 255, 255])
  })

  it('index CSV with CRLF line ends and a mask folder beside it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cxr-index-'))
    mkdirSync(join(root, 'images'))
    mkdirSync(join(root, 'masks'))
    await writePng(join(root, 'images', 'a.png'), [[1, 2]])
    await writePng(join(root, 'masks', 'a_lungs.png'), [[0, 255]])
    writeFileSync(join(root, 'INDEX.csv'), 'image,mask\r\na.png,a_lungs.png\r\nmissing.png,missing_lungs.png\r\n')
    const listing = await listIndexCsvPairs({ sourceId: 'set', indexCsv: join(root, 'INDEX.csv'), imagesDir: join(root, 'images'), masksDir: join(root, 'masks') })
    expect(listing.pairs).toEqual([{ id: 'set/a.png', sourceId: 'set', fileName: 'a.png', imagePath: join(root, 'images', 'a.png'), maskPaths: [join(root, 'masks', 'a_lungs.png')] }])
    expect(listing.skipped).toHaveLength(1)
  })

  it('mask folder matched by name with a suffix (Shenzhen style)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cxr-folder-'))
    mkdirSync(join(root, 'img'))
    mkdirSync(join(root, 'mask'))
    await writePng(join(root, 'img', 'CHNCXR_0001_0.png'), [[1]])
    await writePng(join(root, 'mask', 'CHNCXR_0001_0_mask.png'), [[255]])
    await writePng(join(root, 'img', 'CHNCXR_0002_0.png'), [[1]])
    const listing = await listMaskFolderPairs({ sourceId: 'shenzhen', imagesDir: join(root, 'img'), masksDir: join(root, 'mask') })
    expect(listing.pairs.map((pair) => pair.maskPaths[0])).toEqual([join(root, 'mask', 'CHNCXR_0001_0_mask.png')])
    expect(listing.skipped.map((entry) => entry.reason)).toEqual(['no mask with this name'])
  })
})

describe('fitMaskToImage', () => {
  const mask = maskFromRows([
    [1, 0],
    [0, 1],
  ])

  it('resamples a mask of the same aspect by nearest neighbour', () => {
    const fitted = fitMaskToImage(mask, 4, 4)
    expect('mask' in fitted && Array.from(fitted.mask.data)).toEqual([255, 255, 0, 0, 255, 255, 0, 0, 0, 0, 255, 255, 0, 0, 255, 255])
  })

  it('rejects a mask of another aspect ratio with the reason', () => {
    expect(fitMaskToImage(mask, 4, 3)).toEqual({ reason: 'mask is 2x2 but the image is 4x3: different aspect ratio, so a different crop' })
  })
})

describe('image sources of the shared lung masks', () => {
  it('websiteOf: the url host without www., nothing for a missing or broken url', () => {
    expect(websiteOf('https://www.nejm.org/doi/full/10.1056/NEJMc2001272')).toBe('nejm.org')
    expect(websiteOf('https://radiopaedia.org/cases/covid-19-pneumonia-7')).toBe('radiopaedia.org')
    expect(websiteOf('https://pubs.rsna.org/doi/10.1148/radiol.2020200490')).toBe('pubs.rsna.org')
    expect(websiteOf(undefined)).toBeUndefined()
    expect(websiteOf('see the paper')).toBeUndefined()
  })

  it('readColumnByFileName: the first table naming a file wins, rows without the value are skipped', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cxr-columns-'))
    writeFileSync(join(folder, 'curated.csv'), 'filename,patientid,url\na.png,7,\nb.png,,https://x.org/b\n')
    writeFileSync(join(folder, 'raw.csv'), 'filename,patientid,url\na.png,8,https://www.y.org/a\nb.png,9,https://x.org/b2\n')
    const paths = [join(folder, 'curated.csv'), join(folder, 'raw.csv')]
    expect(Object.fromEntries(await readColumnByFileName(paths))).toEqual({ 'a.png': '7', 'b.png': '9' })
    expect(Object.fromEntries(await readColumnByFileName(paths, 'filename', 'url'))).toEqual({ 'a.png': 'https://www.y.org/a', 'b.png': 'https://x.org/b' })
  })
})
