import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { appendFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { RunRecordSchema, type RunRecord } from '@shared/runs/record'
import { createSetAside } from '../files/setAside'

/**
 * Run records on disk: `<dataFolder>/runs/<id>/record.json` (the whole record, rewritten atomically at each
 * state change and epoch) and `log.txt` (every log line, appended). JSON files rather than the library's
 * SQLite: a run folder is self-contained (record, checkpoints, model) and can be copied to another machine.
 */
export interface RunStore {
  readonly folder: string
  runFolder(runId: string): string
  newId(now?: Date): string
  write(record: RunRecord): Promise<void>
  readAll(): Promise<{ records: RunRecord[]; problems: string[] }>
  /** Ids of the run folders that hold a record. */
  listIds(): Promise<string[]>
  /** One record; rejects when missing or unreadable. */
  read(runId: string): Promise<RunRecord>
  appendLog(runId: string, line: string): Promise<void>
  /** Moves a run's folder aside (`runs-deleted/`), so `restore` can bring it back until `purgeDeleted`. */
  remove(runId: string): Promise<void>
  /** Brings a removed run's folder back; false when it is no longer aside. */
  restore(runId: string): Promise<boolean>
  /** Deletes the folders set aside longer than `olderThanMs` ago (at start: a deletion stays undoable for a while). */
  purgeDeleted(olderThanMs: number): Promise<void>
}

/** Creates the store under `<dataFolder>/runs`. */
export function createRunStore(dataFolder: string): RunStore {
  const folder = join(dataFolder, 'runs')
  const runFolder = (runId: string) => join(folder, runId)
  const deleted = createSetAside(join(dataFolder, 'runs-deleted'))
  // Runs this program deleted: a late write (a log line, the last record update of a run that just finished) must
  // not create their folder again, or Undo would find the place taken and the run would come back without its model.
  const gone = new Set<string>()
  return {
    folder,
    runFolder,
    newId(now = new Date()) {
      // Sortable by time, unique without coordination, safe as a folder name.
      const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '-')
      return `run-${stamp}-${randomBytes(3).toString('hex')}`
    },
    async write(record) {
      if (gone.has(record.id)) return
      const dir = runFolder(record.id)
      await mkdir(dir, { recursive: true })
      const file = join(dir, 'record.json')
      const temporary = `${file}.${process.pid}.tmp`
      await writeFile(temporary, JSON.stringify(record, null, 2))
      await rename(temporary, file)
    },
    async readAll() {
      const records: RunRecord[] = []
      const problems: string[] = []
      if (!existsSync(folder)) return { records, problems }
      for (const entry of await readdir(folder, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue
        const file = join(folder, entry.name, 'record.json')
        if (!existsSync(file)) continue
        try {
          records.push(RunRecordSchema.parse(JSON.parse(await readFile(file, 'utf8'))))
        } catch (error) {
          problems.push(`${file}: ${(error as Error).message.split('\n')[0]}`)
        }
      }
      return { records, problems }
    },
    async listIds() {
      if (!existsSync(folder)) return []
      const entries = await readdir(folder, { withFileTypes: true })
      return entries.filter((entry) => entry.isDirectory() && existsSync(join(folder, entry.name, 'record.json'))).map((entry) => entry.name)
    },
    async read(runId) {
      return RunRecordSchema.parse(JSON.parse(await readFile(join(runFolder(runId), 'record.json'), 'utf8')))
    },
    async appendLog(runId, line) {
      if (gone.has(runId)) return
      await mkdir(runFolder(runId), { recursive: true })
      await appendFile(join(runFolder(runId), 'log.txt'), `${line}\n`)
    },
    async remove(runId) {
      gone.add(runId)
      await deleted.put(runId, runFolder(runId))
    },
    async restore(runId) {
      const back = await deleted.bringBack(runId, runFolder(runId), 'record.json')
      if (back) gone.delete(runId)
      return back
    },
    purgeDeleted: (olderThanMs) => deleted.purge(olderThanMs),
  }
}
