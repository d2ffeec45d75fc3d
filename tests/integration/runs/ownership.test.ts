/**
 * One owner per run: two runs services on one data folder (the app beside `cxr train`) never fight over a run.
 * The second one sees the live run as trained elsewhere, with its progress; it cannot resume or delete it; its
 * cancel reaches the owner through the run folder. A run whose owner died is interrupted and resumable by anyone.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRunsService, type RunsServiceImpl } from '../../../src-main/services/runs'
import { LEASE_FILE } from '../../../src-main/services/runs/runLease'
import { fakeLibrary, tinyRunConfig, tsWorkerEntry, writeFixtureImages, type FixtureImage } from './support/fixtures'

let root: string
let images: FixtureImage[]
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cxr-run-owner-'))
  images = await writeFixtureImages(join(root, 'images'), 24)
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

const service = (data: string, ownerKind: string): RunsServiceImpl =>
  createRunsService({
    dataFolder: data,
    library: fakeLibrary(images),
    execution: { kind: 'worker', entry: tsWorkerEntry() },
    backend: () => ({ preference: 'wasm', source: 'setting' }),
    ownerKind,
    pollIntervalMs: 100,
  })

describe('one owner per run', () => {
  it('a second process sees a live run as running elsewhere, cannot resume or delete it, and its cancel reaches the owner', async () => {
    const data = join(root, 'live')
    const cli = service(data, 'cli')
    const { runId } = await cli.start(tinyRunConfig({ epochs: 50, checkpointEverySteps: 1 }))
    await new Promise<void>((resolve) => {
      const stop = cli.onDidProgress(({ progress }) => {
        if (progress.phase === 'finetune' && progress.step >= 1) {
          stop()
          resolve()
        }
      })
    })
    const app = service(data, 'app')
    const seen = await app.get({ runId })
    expect(seen.state).toBe('running')
    expect(seen.owner).toMatchObject({ kind: 'cli', pid: process.pid, thisProcess: false })
    // Its progress arrives from the owner's heartbeat (which may first repeat the preparation it last published).
    const progress = await new Promise((resolve) => {
      const stop = app.onDidProgress((event) => {
        if (event.runId === runId && event.progress.phase === 'finetune') {
          stop()
          resolve(event.progress)
        }
      })
    })
    expect(progress).toMatchObject({ phase: 'finetune', epochs: 50 })
    await expect(app.resume({ runId })).rejects.toThrow(/being trained by the command line/)
    await expect(app.delete({ runId })).rejects.toThrow(/being trained by the command line/)
    expect((await cli.get({ runId })).state).toBe('running')

    // Cancel from the second process: the owner stops after a step, keeps a checkpoint, and both see it.
    const changed = new Promise<void>((resolve) => {
      const stop = app.onDidChange((event) => {
        if (event.runId === runId && event.state === 'cancelled') {
          stop()
          resolve()
        }
      })
    })
    await app.cancel({ runId })
    expect((await cli.waitForRun({ runId })).state).toBe('cancelled')
    await changed
    expect((await app.get({ runId })).state).toBe('cancelled')
    // Now stopped, it is anyone's: the second process resumes it to completion.
    await cli.close()
    await app.resume({ runId })
    const done = await app.waitForRun({ runId })
    expect(done.failureReason).toBeNull()
    expect(done.state).toBe('completed')
    await app.close()
  }, 120_000)

  it('a run whose program died is interrupted and resumable from another process', async () => {
    const data = join(root, 'dead')
    const first = service(data, 'cli')
    const { runId } = await first.start(tinyRunConfig({ epochs: 1 }))
    expect((await first.waitForRun({ runId })).state).toBe('completed')
    await first.close()
    // The record of a run that was training when its program was killed: state running, a lease of a dead process.
    const folder = join(data, 'runs', runId)
    const record = JSON.parse(readFileSync(join(folder, 'record.json'), 'utf8'))
    writeFileSync(join(folder, 'record.json'), JSON.stringify({ ...record, state: 'running', resumable: false }))
    const deadPid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout
    const now = new Date().toISOString()
    writeFileSync(join(folder, LEASE_FILE), JSON.stringify({ pid: Number(deadPid), host: hostname(), kind: 'cli', instanceId: 'gone', startedAt: now, heartbeatAt: now, progress: null }))

    const app = service(data, 'app')
    const found = await app.get({ runId })
    expect(found.state).toBe('interrupted')
    expect(found.resumable).toBe(true)
    expect(found.owner).toBeNull()
    expect(found.log.at(-1)).toMatch(/interrupted: the program that was training it stopped/)
    await app.delete({ runId })
    expect((await app.list()).map((run) => run.id)).not.toContain(runId)
    await app.close()
  }, 60_000)
})
