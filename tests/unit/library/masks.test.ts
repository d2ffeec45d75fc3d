import { join } from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ImportSpecInput, MaskSourceInput } from '@shared/library/importSpecs'
import type { LibraryService } from '@shared/library/types'
import { dumpLibrary, openLibrary, temporaryFolder, writeMask, writePng, writeText } from './support'

const SIZE = { width: 16, height: 12 }
let source: { path: string; cleanup: () => void }
let data: { path: string; cleanup: () => void }
let library: LibraryService

function imagesSpec(masks?: MaskSourceInput): ImportSpecInput {
  return {
    kind: 'csv',
    dataset: { id: 'lungs' },
    csvPath: join(source.path, 'INDEX.csv'),
    imageFolder: 'images',
    fileColumn: 'image',
    label: { kind: 'fixed', value: 'unlabelled' },
    patient: { kind: 'per-image' },
    ...(masks ? { masks } : {}),
  }
}

async function run(spec: ImportSpecInput) {
  const { jobId } = await library.startImport({ spec })
  return library.waitForImport({ jobId })
}

beforeEach(async () => {
  source = temporaryFolder('cxr-masks-')
  data = temporaryFolder('cxr-data-')
  await Promise.all(['a.png', 'b.png', 'c.png'].map((name, index) => writePng(join(source.path, 'images', name), index + 1, SIZE)))
  await writeMask(join(source.path, 'masks', 'a_lungs.png'), SIZE, (x) => x < 8)
  await writeMask(join(source.path, 'masks', 'b_lungs.png'), SIZE, (x, y) => y < 6)
  writeText(join(source.path, 'INDEX.csv'), 'image,mask\na.png,a_lungs.png\nb.png,b_lungs.png\nc.png,\n')
  library = openLibrary(data.path)
})

afterEach(async () => {
  await library.close()
  source.cleanup()
  data.cleanup()
})

describe('mask import', () => {
  it('attaches masks listed in an index CSV, in the same job as the images', async () => {
    const report = await run(imagesSpec({ kind: 'index-csv', csvPath: join(source.path, 'INDEX.csv'), imageColumn: 'image', maskColumn: 'mask', maskFolder: 'masks' }))
    expect(report.images).toMatchObject({ imported: 3 })
    expect(report.masks).toMatchObject({ planned: 2, imported: 2, failed: 0 })
    expect((await library.getDataset({ datasetId: 'lungs' })).maskCount).toBe(2)
    const masks = await library.listMasks({ datasetId: 'lungs' })
    expect(masks.map((mask) => [mask.imageId, mask.structure, mask.path])).toEqual([
      ['a.png', 'lungs', join(source.path, 'masks', 'a_lungs.png')],
      ['b.png', 'lungs', join(source.path, 'masks', 'b_lungs.png')],
    ])
    const page = await library.listImages({ datasetId: 'lungs' })
    expect(page.images.map((image) => image.maskCount)).toEqual([1, 1, 0])

    const before = dumpLibrary(data.path)
    const again = await run(imagesSpec({ kind: 'index-csv', csvPath: join(source.path, 'INDEX.csv'), imageColumn: 'image', maskColumn: 'mask', maskFolder: 'masks' }))
    expect(again.masks).toMatchObject({ unchanged: 2, imported: 0 })
    expect(dumpLibrary(data.path)).toEqual(before)
  })

  it('attaches a folder of masks by name to an existing dataset, listing masks without an image', async () => {
    await run(imagesSpec())
    await writeMask(join(source.path, 'other', 'c_mask.png'), SIZE, () => true)
    await writeMask(join(source.path, 'other', 'z_mask.png'), SIZE, () => true)
    const report = await run({ kind: 'masks', datasetId: 'lungs', source: { kind: 'same-name', folder: join(source.path, 'other') } })
    expect(report.masks).toMatchObject({ planned: 1, imported: 1 })
    expect(report.issues).toEqual([expect.objectContaining({ code: 'mask-without-image', message: 'z_mask.png: no image of the dataset is named like this mask' })])
    expect((await library.listMasks({ datasetId: 'lungs', imageId: 'c.png' }))[0].path).toBe(join(source.path, 'other', 'c_mask.png'))
  })

  it('merges Montgomery-style left and right halves into one cached union mask', async () => {
    await run(imagesSpec())
    await writeMask(join(source.path, 'ManualMask', 'leftMask', 'a.png'), SIZE, (x) => x < 5)
    await writeMask(join(source.path, 'ManualMask', 'rightMask', 'a.png'), SIZE, (x) => x >= 11)
    await writeMask(join(source.path, 'ManualMask', 'leftMask', 'b.png'), SIZE, () => false)
    const report = await run({
      kind: 'masks',
      datasetId: 'lungs',
      source: { kind: 'left-right', leftFolder: join(source.path, 'ManualMask', 'leftMask'), rightFolder: join(source.path, 'ManualMask', 'rightMask') },
    })
    expect(report.masks).toMatchObject({ planned: 1, imported: 1 })
    expect(report.issues).toEqual([expect.objectContaining({ code: 'file-missing', message: expect.stringContaining('b.png: left mask has no right half') })])
    const [mask] = await library.listMasks({ datasetId: 'lungs', imageId: 'a.png' })
    expect(mask.path.startsWith(join(data.path, 'cache', 'masks'))).toBe(true)
    expect(mask.sources).toEqual([join(source.path, 'ManualMask', 'leftMask', 'a.png'), join(source.path, 'ManualMask', 'rightMask', 'a.png')])
    expect((await sharp(mask.path).metadata()).channels).toBe(1)
    const { data: pixels, info } = await sharp(mask.path).extractChannel(0).raw().toBuffer({ resolveWithObject: true })
    expect([info.width, info.height, info.channels]).toEqual([16, 12, 1])
    for (let i = 0; i < pixels.length; i++) expect(pixels[i]).toBe(i % 16 < 5 || i % 16 >= 11 ? 255 : 0)
  })

  it('rejects a mask whose size differs from its image, and skips masks of images that failed', async () => {
    await writeMask(join(source.path, 'masks', 'a_lungs.png'), { width: 8, height: 8 }, () => true)
    writeText(join(source.path, 'images', 'b.png'), 'not a PNG')
    const report = await run(imagesSpec({ kind: 'index-csv', csvPath: join(source.path, 'INDEX.csv'), imageColumn: 'image', maskColumn: 'mask', maskFolder: 'masks' }))
    expect(report.images).toMatchObject({ imported: 2, failed: 1 })
    expect(report.masks).toMatchObject({ failed: 1, skipped: 1, imported: 0 })
    expect(report.issues.map((issue) => issue.code).sort()).toEqual(['image-not-imported', 'mask-size-mismatch', 'per-image-patients', 'unreadable'])
    expect(report.issues.find((issue) => issue.code === 'mask-size-mismatch')!.message).toBe('a_lungs.png: mask is 8×8 but image "a.png" is 16×12')
  })

  it('refuses masks for a dataset that does not exist', async () => {
    await expect(run({ kind: 'masks', datasetId: 'nope', source: { kind: 'same-name', folder: source.path } })).rejects.toMatchObject({
      code: 'import-blocked',
      message: expect.stringContaining('No dataset "nope" to attach masks to'),
    })
  })
})
