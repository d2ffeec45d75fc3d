/**
 * A deleted run is set aside for Undo. A write that arrives after the delete (a log line, the last record update of
 * a run that had just finished) must not create its folder again: Undo would then find the place taken, and the run
 * would come back as a record without its model (seen once in CI: "card.json is missing" after Undo).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunRecord } from '@shared/runs/record'
import { createRunStore } from '../../../src-main/services/runs/runStore'

let root: string | undefined
afterEach(() => root && rmSync(root, { recursive: true, force: true }))

describe('run store', () => {
  it('lets no late write recreate a deleted run, so Undo brings back the whole run with its model', async () => {
    root = mkdtempSync(join(tmpdir(), 'cxr-runstore-'))
    const store = createRunStore(root)
    const record = { id: 'run-20261207-000000-abcdef' } as RunRecord
    const folder = store.runFolder(record.id)
    await store.write(record)
    mkdirSync(join(folder, 'model'))
    writeFileSync(join(folder, 'model', 'card.json'), '{}')

    await store.remove(record.id)
    expect(existsSync(folder)).toBe(false)
    await store.appendLog(record.id, 'completed')
    await store.write(record)
    expect(existsSync(folder)).toBe(false)

    expect(await store.restore(record.id)).toBe(true)
    expect(readFileSync(join(folder, 'model', 'card.json'), 'utf8')).toBe('{}')
    // Back in the store: writes reach it again.
    await store.appendLog(record.id, 'restored')
    expect(readFileSync(join(folder, 'log.txt'), 'utf8')).toBe('restored\n')
  })
})
