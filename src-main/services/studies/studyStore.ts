import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { StudyRecordSchema, type StudyRecord } from '@shared/studies/record'
import { createSetAside } from '../files/setAside'

/**
 * Study records on disk: `<dataFolder>/studies/<id>/study.json`, rewritten atomically (a temporary file renamed into
 * place) at every change, so a study killed mid-write keeps its previous record. The folder also holds the lease of
 * the program that drives the study (`owner.json`, as a run folder does).
 */
export interface StudyStore {
  studyFolder(studyId: string): string
  newId(now?: Date): string
  write(record: StudyRecord): Promise<void>
  read(studyId: string): Promise<StudyRecord>
  /** Every readable record; unreadable ones are reported, not fatal. */
  readAll(): Promise<{ records: StudyRecord[]; problems: string[] }>
  /** Moves a study's folder aside (`studies-deleted/`), so `restore` can bring it back until `purgeDeleted`. */
  remove(studyId: string): Promise<void>
  /** Brings a removed study back; false when it is no longer aside. */
  restore(studyId: string): Promise<boolean>
  /** Deletes the studies set aside longer than `olderThanMs` ago. */
  purgeDeleted(olderThanMs: number): Promise<void>
}

const ID_PATTERN = /^study-[\w-]+$/

/** Creates the store under `<dataFolder>/studies`. */
export function createStudyStore(dataFolder: string): StudyStore {
  const folder = join(dataFolder, 'studies')
  const studyFolder = (studyId: string) => {
    // Ids come over IPC: never let one name a path outside the folder.
    if (!ID_PATTERN.test(studyId)) throw new Error(`not a study id: ${studyId}`)
    return join(folder, studyId)
  }
  const deleted = createSetAside(join(dataFolder, 'studies-deleted'))
  const read = async (studyId: string) => StudyRecordSchema.parse(JSON.parse(await readFile(join(studyFolder(studyId), 'study.json'), 'utf8')))
  return {
    studyFolder,
    newId(now = new Date()) {
      const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '-')
      return `study-${stamp}-${randomBytes(3).toString('hex')}`
    },
    async write(record) {
      const dir = studyFolder(record.id)
      await mkdir(dir, { recursive: true })
      const file = join(dir, 'study.json')
      const temporary = `${file}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`
      await writeFile(temporary, JSON.stringify(record, null, 2))
      await rename(temporary, file)
    },
    read,
    async readAll() {
      const records: StudyRecord[] = []
      const problems: string[] = []
      if (!existsSync(folder)) return { records, problems }
      for (const entry of await readdir(folder, { withFileTypes: true })) {
        if (!entry.isDirectory() || !ID_PATTERN.test(entry.name) || !existsSync(join(folder, entry.name, 'study.json'))) continue
        try {
          records.push(await read(entry.name))
        } catch (error) {
          problems.push(`${join(folder, entry.name, 'study.json')}: ${(error as Error).message.split('\n')[0]}`)
        }
      }
      return { records, problems }
    },
    remove: (studyId) => deleted.put(studyId, studyFolder(studyId)),
    restore: (studyId) => deleted.bringBack(studyId, studyFolder(studyId), 'study.json'),
    purgeDeleted: (olderThanMs) => deleted.purge(olderThanMs),
  }
}
