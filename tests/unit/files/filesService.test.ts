import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createFilesService, type GrantMode } from '../../../src-main/services/files/filesService'
import { createSettingsStore } from '../../../src-main/services/settings/settingsStore'

function setup(mode: GrantMode = 'picker') {
  const root = mkdtempSync(join(tmpdir(), 'cxr-files-'))
  const home = join(root, 'home')
  const data = join(home, 'cxr-data')
  const study = join(home, 'study')
  const outside = join(root, 'outside')
  mkdirSync(join(study, 'NORMAL'), { recursive: true })
  mkdirSync(join(study, 'PNEUMONIA'))
  mkdirSync(join(home, '.ssh'))
  mkdirSync(data, { recursive: true })
  mkdirSync(outside)
  writeFileSync(join(study, 'labels.csv'), 'file,label\n')
  writeFileSync(join(study, 'image10.png'), 'x')
  writeFileSync(join(study, 'image2.dcm'), 'x')
  writeFileSync(join(study, '.hidden'), 'x')
  writeFileSync(join(outside, 'secret.csv'), 'name,birth date\nJane Doe,1950-01-01\n')
  const announced: string[] = []
  const make = () => createFilesService({ settings: createSettingsStore(data), mode, dataFolder: data, home, announce: (message) => announced.push(message) })
  return { root, home, data, study, outside, files: make(), make, announced }
}

/** The picker's two steps, as the page performs them. */
async function pickAndConfirm(files: ReturnType<typeof setup>['files'], folder: string): Promise<string[]> {
  const listing = await files.listFolder(folder)
  if (!listing.grant.allowed) throw new Error(listing.grant.reason)
  return files.grantFolder(folder, listing.grant.ticket)
}

describe('files service: listings', () => {
  it('lists folders first, then files with their role, in natural order, hiding dot files', async () => {
    const { study, home, files } = setup()
    const listing = await files.listFolder(study)
    expect(listing.entries.map((e) => [e.name, e.kind, e.role])).toEqual([
      ['NORMAL', 'folder', undefined],
      ['PNEUMONIA', 'folder', undefined],
      ['image2.dcm', 'file', 'dicom'],
      ['image10.png', 'file', 'image'],
      ['labels.csv', 'file', 'table'],
    ])
    expect(listing.parent).toBe(home)
    expect(listing.roots).toEqual([home])
    // The home folder is the top: the picker offers no way above it.
    expect((await files.listFolder(home)).parent).toBeNull()
  })

  it('names a missing folder or a file given as a folder', async () => {
    const { study, files } = setup()
    await expect(files.listFolder(join(study, 'nope'))).rejects.toThrow(/nope: no such folder/)
    await expect(files.listFolder(join(study, 'labels.csv'))).rejects.toThrow(/labels.csv: not a folder/)
  })

  it('lists only under its roots or inside a granted folder, never the data folder', async () => {
    const { outside, data, files } = setup()
    await expect(files.listFolder('/')).rejects.toThrow(/outside the folders the picker may show/)
    await expect(files.listFolder(outside)).rejects.toThrow(/outside the folders the picker may show/)
    await expect(files.listFolder('/etc')).rejects.toThrow(/outside the folders the picker may show/)
    await expect(files.listFolder(data)).rejects.toThrow(/outside the folders the picker may show/)
    // A folder granted elsewhere (the command line) can be browsed.
    await files.grantChosenFolder(outside)
    expect((await files.listFolder(outside)).entries.map((e) => e.name)).toEqual(['secret.csv'])
  })

  it('follows the launch roots, by real path', async () => {
    const { outside, data, home } = setup()
    const linkToOutside = join(home, 'link-to-outside')
    symlinkSync(outside, linkToOutside)
    const withRoot = createFilesService({ settings: createSettingsStore(data), mode: 'picker', dataFolder: data, home, folderRoots: [outside] })
    expect((await withRoot.listFolder(outside)).roots).toEqual([home, outside])
    // A link under home to a folder outside the roots lists as what it is: the outside folder.
    const plain = createFilesService({ settings: createSettingsStore(data), mode: 'picker', dataFolder: data, home })
    await expect(plain.listFolder(linkToOutside)).rejects.toThrow(`${outside} is outside the folders the picker may show`)
  })
})

describe('files service: grants only the user gives', () => {
  it('grants through the picker: a listing offers a single-use ticket for that folder, the confirmation redeems it', async () => {
    const { study, home, files, announced } = setup()
    const listing = await files.listFolder(study)
    expect(listing.grant).toMatchObject({ allowed: true, alreadyGranted: false })
    const ticket = listing.grant.allowed ? listing.grant.ticket : ''
    // Forged or replayed confirmations are refused: no ticket, another folder's ticket, a used ticket.
    await expect(files.grantFolder(study, 'made-up')).rejects.toThrow(/open this folder in the picker and confirm again/)
    const other = await files.listFolder(join(study, 'NORMAL'))
    await expect(files.grantFolder(study, other.grant.allowed ? other.grant.ticket : '')).rejects.toThrow(/confirm again/)
    expect(files.grantedFolders()).toEqual([])
    expect(await files.grantFolder(study, ticket)).toEqual([study])
    await expect(files.grantFolder(study, ticket)).rejects.toThrow(/confirm again/)
    expect(announced).toEqual([`Granted: the app may now read ${study} and everything inside it.`])
    expect((await files.listFolder(study)).grant).toMatchObject({ allowed: true, alreadyGranted: true })
    void home
  })

  it('refuses the whole disk, system folders, the home folder, hidden folders and the app data folder, in plain words', async () => {
    const { home, data, files } = setup()
    const refusals = async (folder: string) => {
      const refused = await files.grantChosenFolder(folder).then(() => 'granted', (error: Error) => error.message)
      return refused
    }
    expect(await refusals('/')).toBe('/ is the whole disk; choose the folder that holds the images')
    expect(await refusals('/etc')).toBe('/etc is a system folder (/etc); choose a folder of your own that holds the images')
    expect(await refusals('/usr/share')).toMatch(/system folder/)
    expect(await refusals(home)).toBe(`${home} is your whole home folder; choose the folder inside it that holds the images`)
    expect(await refusals(join(home, '..'))).toMatch(/holds your whole home folder/)
    expect(await refusals(join(home, '.ssh'))).toMatch(/hidden folder ".ssh"/)
    expect(await refusals(data)).toMatch(/holds the app's own data/)
    expect(files.grantedFolders()).toEqual([])
    // The picker shows the reason instead of offering a confirmation.
    expect((await files.listFolder(home)).grant).toEqual({ allowed: false, reason: `${home} is your whole home folder; choose the folder inside it that holds the images` })
  })

  it('in the desktop app, a path from the page is never a grant: only the system dialog grants', async () => {
    const { study, files } = setup('dialog')
    await files.grantChosenFolder(study)
    expect((await files.listFolder(study)).grant).toMatchObject({ allowed: false, reason: expect.stringMatching(/system’s folder dialog/) })
    await expect(files.grantFolder(join(study, 'NORMAL'), 'any')).rejects.toThrow(/choose folders in the system’s folder dialog/)
    expect(files.grantedFolders()).toEqual([study])
  })
})

describe('files service: reads', () => {
  it('resolves reads inside granted folders only, by real path, and remembers grants across restarts', async () => {
    const { study, data, files, make } = setup()
    await expect(files.resolveGranted(join(study, 'labels.csv'), 'CSV')).rejects.toThrow(/not inside a folder you chose/)
    await pickAndConfirm(files, study)
    expect(await files.resolveGranted(join(study, 'labels.csv'))).toBe(join(study, 'labels.csv'))
    // A sibling whose name starts the same is not inside, and neither is a path that climbs out.
    mkdirSync(`${study}-other`)
    writeFileSync(`${study}-other/x.png`, 'x')
    await expect(files.resolveGranted(`${study}-other/x.png`)).rejects.toThrow(/not inside a folder you chose/)
    await expect(files.resolveGranted(join(study, '..', 'cxr-data', 'settings.json'))).rejects.toThrow(/not inside a folder you chose/)
    await expect(files.resolveGranted('relative/path.png')).rejects.toThrow(/full path/)
    await expect(files.resolveGranted(join(study, 'gone.png'), 'image')).rejects.toMatchObject({ code: 'ENOENT', message: expect.stringMatching(/image .*gone.png does not exist/) })
    expect(make().grantedFolders()).toEqual([study])
    void data
  })

  it('refuses a symbolic link inside a granted folder that leads outside it', async () => {
    const { study, outside, files } = setup()
    await pickAndConfirm(files, study)
    symlinkSync(join(outside, 'secret.csv'), join(study, 'table.csv'))
    symlinkSync(outside, join(study, 'more'))
    await expect(files.resolveGranted(join(study, 'table.csv'), 'CSV file')).rejects.toThrow(
      `CSV file ${join(study, 'table.csv')} is a link to ${join(outside, 'secret.csv')}, outside the folders you chose`,
    )
    await expect(files.resolveGranted(join(study, 'more', 'secret.csv'))).rejects.toThrow(/is a link to .*outside the folders you chose/)
    // A link between two chosen folders is fine: both were chosen.
    await files.grantChosenFolder(outside)
    expect(await files.resolveGranted(join(study, 'table.csv'))).toBe(join(outside, 'secret.csv'))
  })
})
