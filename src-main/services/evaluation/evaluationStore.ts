import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { EvaluationRecordSchema, type EvaluationRecord } from '@shared/evaluation/types'

/** Stored evaluations as one JSON file each under `<dataFolder>/evaluations/`. */
export interface EvaluationStore {
  newId(now: Date): string
  write(record: EvaluationRecord): Promise<void>
  read(evaluationId: string): Promise<EvaluationRecord>
  /** Every readable record; unreadable files are reported, not fatal (one bad file must not hide the rest). */
  readAll(): Promise<{ records: EvaluationRecord[]; problems: string[] }>
  remove(evaluationId: string): Promise<void>
}

const ID_PATTERN = /^[A-Za-z0-9_-]+$/

/** Creates the store over `<dataFolder>/evaluations`. */
export function createEvaluationStore(dataFolder: string): EvaluationStore {
  const folder = join(dataFolder, 'evaluations')
  const fileOf = (evaluationId: string) => {
    // Ids come over IPC: never let one name a path outside the folder.
    if (!ID_PATTERN.test(evaluationId)) throw new Error(`not an evaluation id: ${evaluationId}`)
    return join(folder, `${evaluationId}.json`)
  }
  async function read(evaluationId: string): Promise<EvaluationRecord> {
    const file = fileOf(evaluationId)
    if (!existsSync(file)) throw new Error(`no evaluation ${evaluationId}`)
    return EvaluationRecordSchema.parse(JSON.parse(await readFile(file, 'utf8')))
  }
  return {
    newId(now) {
      // Sortable by time, unique across processes (the CLI and the app may evaluate at once).
      return `eval-${now.toISOString().replace(/[-:.TZ]/g, '').slice(0, 17)}-${randomBytes(3).toString('hex')}`
    },
    async write(record) {
      await mkdir(folder, { recursive: true })
      const file = fileOf(record.id)
      const temporary = `${file}.${process.pid}.tmp`
      await writeFile(temporary, JSON.stringify(record))
      await rename(temporary, file)
    },
    read,
    async readAll() {
      if (!existsSync(folder)) return { records: [], problems: [] }
      const records: EvaluationRecord[] = []
      const problems: string[] = []
      for (const name of (await readdir(folder)).filter((entry) => entry.endsWith('.json')).sort()) {
        try {
          records.push(await read(name.slice(0, -'.json'.length)))
        } catch (error) {
          problems.push(`${name}: ${(error as Error).message}`)
        }
      }
      return { records, problems }
    },
    async remove(evaluationId) {
      await rm(fileOf(evaluationId), { force: true })
    },
  }
}
