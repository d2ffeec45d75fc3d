import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createFilesService } from '../../../src-main/services/files/filesService'
import { createSettingsStore } from '../../../src-main/services/settings/settingsStore'

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'cxr-files-'))
  const data = join(root, 'data')
  const study = join(root, 'study')
  mkdirSync(join(study, 'NORMAL'), { recursive: true })
  mkdirSync(join(study, 'PNEUMONIA'))
  writeFileSync(join(study, 'labels.csv'), 'file,label\n')
  writeFileSync(join(study, 'image10.png'), 'x')
  writeFileSync(join(study, 'image2.dcm'), 'x')
  writeFileSync(join(study, '.hidden'), 'x')
  const files = createFilesService({ settings: createSettingsStore(data) })
  return { root, data, study, files }
}

describe('files service', () => {
  it('lists folders first, then files with their role, in natural order, hiding dot files', async () => {
    const { study, files } = setup()
    const listing = await files.listFolder(study)
    expect(listing.entries.map((e) => [e.name, e.kind, e.role])).toEqual([
      ['NORMAL', 'folder', undefined],
      ['PNEUMONIA', 'folder', undefined],
      ['image2.dcm', 'file', 'dicom'],
      ['image10.png', 'file', 'image'],
      ['labels.csv', 'file', 'table'],
    ])
    expect(listing.parent).toBe(join(study, '..'))
  })

  it('names a missing folder or a file given as a folder', async () => {
    const { study, files } = setup()
    await expect(files.listFolder(join(study, 'nope'))).rejects.toThrow(/nope: no such folder/)
    await expect(files.listFolder(join(study, 'labels.csv'))).rejects.toThrow(/labels.csv: not a folder/)
  })

  it('allows reads only inside folders the user granted, and remembers them across restarts', async () => {
    const { study, root, data, files } = setup()
    expect(() => files.assertGranted(join(study, 'labels.csv'), 'CSV')).toThrow(/not inside a folder you chose/)
    await files.grantFolder(study)
    expect(files.assertGranted(join(study, 'NORMAL', 'a.png'))).toBe(join(study, 'NORMAL', 'a.png'))
    // A sibling whose name starts the same is not inside, and neither is a path that climbs out.
    expect(() => files.assertGranted(`${study}-other/x.png`)).toThrow()
    expect(() => files.assertGranted(join(study, '..', 'data', 'settings.json'))).toThrow()
    expect(() => files.assertGranted('relative/path.png')).toThrow(/absolute/)
    const restarted = createFilesService({ settings: createSettingsStore(data) })
    expect(restarted.grantedFolders()).toEqual([study])
    void root
  })
})
