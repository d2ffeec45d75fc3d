import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ImportSpecInput } from '@shared/library/importSpecs'
import { createAppServices, type AppServices } from '../../../src-main/app/createServices'
import { hashBytes } from '../../../src-main/services/library/hashing'
import { dumpLibrary, temporaryFolder, writeMask, writePng, writeText } from '../library/support'

/**
 * The folder boundary seen from the app's own handlers (what the page can call), with symbolic links inside a
 * granted folder pointing outside it. Each read must be refused when it happens, naming the link, and no error
 * may carry the outside file's content.
 */

const SIZE = { width: 16, height: 12 }
const SECRET = 'Jane Doe,1950-01-01,MRN 00412345'
let root: { path: string; cleanup: () => void }
let app: AppServices
let study: string
let outside: string

beforeEach(async () => {
  root = temporaryFolder('cxr-boundary-')
  const home = join(root.path, 'home')
  study = join(home, 'study')
  outside = join(root.path, 'outside')
  mkdirSync(outside, { recursive: true })
  writeText(join(outside, 'secret.csv'), `${SECRET}\nfile,label\n`)
  await writePng(join(outside, 'private.png'), 99, SIZE)
  await writeMask(join(outside, 'private_mask.png'), SIZE, () => true)
  await writePng(join(study, 'images', 'a.png'), 1, SIZE)
  await writePng(join(study, 'images', 'c.png'), 3, SIZE)
  symlinkSync(join(outside, 'private.png'), join(study, 'images', 'b.png'))
  symlinkSync(join(outside, 'secret.csv'), join(study, 'table.csv'))
  await writeMask(join(study, 'masks', 'a_mask.png'), SIZE, (x) => x < 8)
  symlinkSync(join(outside, 'private_mask.png'), join(study, 'masks', 'c_mask.png'))
  writeText(join(study, 'labels.csv'), 'file,label\na.png,COVID-19\nb.png,COVID-19\nc.png,Normal\n')
  writeText(join(study, 'masks.csv'), 'image,mask\na.png,a_mask.png\nc.png,c_mask.png\n')
  app = createAppServices({ dataFolder: join(home, 'cxr-data'), mode: 'browser', home, env: { CXR_BACKEND: 'cpu' } })
  // The picker's two steps, as the page performs them.
  const listing = await app.handlers.files.listFolder({ path: study, showHidden: false })
  if (!listing.grant.allowed) throw new Error(listing.grant.reason)
  await app.handlers.files.grantFolder({ path: study, ticket: listing.grant.ticket })
})

/** The message a handler fails with (handlers may answer synchronously, so this awaits inside a try). */
async function failureOf(call: () => unknown): Promise<string> {
  try {
    await call()
  } catch (error) {
    return (error as Error).message
  }
  return 'no error'
}

afterEach(async () => {
  await app.library.close()
  root.cleanup()
})

describe('the folder boundary at read time', () => {
  it('refuses a CSV preview through a link out of the chosen folder, without quoting the file', async () => {
    const refused = await failureOf(() => app.handlers.library.previewCsv({ path: join(study, 'table.csv'), rows: 20 }))
    expect(refused).toBe(`CSV file ${join(study, 'table.csv')} is a link to ${join(outside, 'secret.csv')}, outside the folders you chose; the app does not follow links out of a chosen folder`)
    expect(refused).not.toContain('Jane')
    await expect(app.handlers.library.csvColumnValues({ path: join(study, 'table.csv'), column: 'label', limit: 10 })).rejects.toThrow(/is a link to/)
  })

  it('imports the real files and refuses the linked image and mask when it reads them', async () => {
    const spec: ImportSpecInput = {
      kind: 'csv',
      dataset: { id: 'linked' },
      csvPath: join(study, 'labels.csv'),
      imageFolder: 'images',
      fileColumn: 'file',
      label: { kind: 'column', column: 'label' },
      patient: { kind: 'per-image' },
      masks: { kind: 'index-csv', csvPath: join(study, 'masks.csv'), imageColumn: 'image', maskColumn: 'mask', maskFolder: join(study, 'masks') },
    }
    const { jobId } = await app.handlers.library.startImport({ spec: spec as never })
    const report = await app.library.waitForImport({ jobId })
    expect(report.status).toBe('completed')
    const outsideIssues = report.issues.filter((issue) => issue.code === 'outside-folder')
    expect(outsideIssues.map((issue) => issue.message)).toEqual([
      expect.stringMatching(new RegExp(`^image .*images/b.png is a link to ${join(outside, 'private.png')}, outside the folders you chose`)),
      expect.stringMatching(new RegExp(`^mask .*masks/c_mask.png is a link to ${join(outside, 'private_mask.png')}, outside the folders you chose`)),
    ])
    const rows = dumpLibrary(app.dataFolder)
    expect((rows.images as Array<{ source_key: string }>).map((image) => image.source_key)).toEqual(['a.png', 'c.png'])
    expect(rows.masks).toHaveLength(1)
    // Nothing read from outside reached the library: not the image's content hash, not the mask's.
    const stored = JSON.stringify(rows)
    expect(stored).not.toContain(hashBytes(readFileSync(join(outside, 'private.png'))))
    expect(stored).not.toContain(hashBytes(readFileSync(join(outside, 'private_mask.png'))))
  })

  it('refuses a file that became a link between the preview and the import', async () => {
    const spec = { kind: 'csv', dataset: { id: 'swapped' }, csvPath: join(study, 'labels.csv'), imageFolder: 'images', fileColumn: 'file', label: { kind: 'column', column: 'label' }, patient: { kind: 'per-image' } } as const
    const preview = await app.handlers.library.previewImport({ spec: spec as never, sampleSize: 5 })
    expect(preview.imageCount).toBe(3)
    rmSync(join(study, 'images', 'a.png'))
    symlinkSync(join(outside, 'private.png'), join(study, 'images', 'a.png'))
    const { jobId } = await app.handlers.library.startImport({ spec: spec as never })
    const report = await app.library.waitForImport({ jobId })
    expect(report.issues.filter((issue) => issue.code === 'outside-folder').map((issue) => issue.file)).toEqual([join(study, 'images', 'a.png'), join(study, 'images', 'b.png')])
  })

  it('refuses to open a linked image in the viewer before decoding it', async () => {
    await expect(app.handlers.imaging.openPath({ path: join(study, 'images', 'b.png') })).rejects.toThrow(/is a link to .*private.png, outside the folders you chose/)
    await expect(app.handlers.explain.gradCam({ runId: 'any', imagePath: join(study, 'images', 'b.png') } as never)).rejects.toThrow(/outside the folders you chose/)
  })

  it('refuses an import whose table is a link out of the chosen folder, as a blocking problem', async () => {
    const spec = { kind: 'csv', dataset: { id: 'x' }, csvPath: join(study, 'table.csv'), fileColumn: 'file', label: { kind: 'column', column: 'label' }, patient: { kind: 'per-image' } } as const
    await expect(app.handlers.library.previewImport({ spec: spec as never, sampleSize: 5 })).rejects.toThrow(/is a link to .*secret.csv/)
  })
})

describe('no file content in error messages', () => {
  it('a composition file that is not JSON is named by line and column, not quoted', async () => {
    const refused = await failureOf(() => app.handlers.compositions.importJson({ json: `${SECRET}\n{"x": 1}` }))
    expect(refused).toBe('The composition file is not valid JSON (line 1, column 1)')
    const unterminated = await failureOf(() => app.handlers.compositions.importJson({ json: '{"format": "cxr",\n "patient": "MRN 0041' }))
    expect(unterminated).toBe('The composition file is not valid JSON (line 2, column 22)')
    const truncated = await failureOf(() => app.handlers.compositions.importJson({ json: '{"format": "cxr", "patient": ' }))
    expect(truncated).toBe('The composition file is not valid JSON (it ends before the JSON is complete)')
  })

  it('a table with a broken row or a missing column does not quote its header', async () => {
    writeText(join(study, 'shifted.csv'), `${SECRET}\na,b,c,d\n`)
    const shifted = await failureOf(() => app.handlers.library.previewCsv({ path: join(study, 'shifted.csv'), rows: 5 }))
    expect(shifted).toBe('shifted.csv, line 2: 4 field(s) where the header has 3')
    writeText(join(study, 'doubled.csv'), 'Jane Doe,Jane Doe\n1,2\n')
    const doubled = await failureOf(() => app.handlers.library.previewCsv({ path: join(study, 'doubled.csv'), rows: 5 }))
    expect(doubled).toBe('doubled.csv: columns 1 and 2 of the header have the same name')
    writeText(join(study, 'people.csv'), `${SECRET}\na.png,x,y\n`)
    const missing = await failureOf(() => app.handlers.library.csvColumnValues({ path: join(study, 'people.csv'), column: 'label', limit: 5 }))
    expect(missing).toBe(`${join(study, 'people.csv')}: column "label" not found among the 3 columns of its header`)
    for (const message of [shifted, doubled, missing]) expect(message).not.toMatch(/Jane|1950|MRN/)
  })
})
