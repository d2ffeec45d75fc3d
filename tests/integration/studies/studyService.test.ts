/**
 * A study end to end through the real runs (worker threads), evaluation and study services on a tiny grid, stopped
 * in the middle as closing the app does, with the record then losing a run id and an evaluation link (as if the
 * program died just before writing them), and continued by a new set of services: every run and every evaluation
 * is made exactly once, and the analysis fills every cell.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StudyRecord } from '@shared/studies'
import { initWasmBackend } from '../../../src-main/services/engine/wasm'
import { createStudyServices, studyLibrary, TINY_STUDY, writeStudyFixtures } from './support'

let root: string
let fixtures: ReturnType<typeof studyLibrary>

beforeAll(async () => {
  await initWasmBackend()
  root = mkdtempSync(join(tmpdir(), 'cxr-studies-'))
  fixtures = studyLibrary(await writeStudyFixtures(root))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('study service', () => {
  it('refuses what cannot run, naming it: a test-only composition to train on, an unknown dataset, a bad field', async () => {
    const services = createStudyServices(join(root, 'refusals'), fixtures, { autoContinue: false })
    try {
      await expect(services.studies.start({ ...TINY_STUDY, compositions: [{ compositionId: 'ext-1' }], testSets: [] })).rejects.toThrow(/"external" is an external test set/)
      await expect(services.studies.start({ ...TINY_STUDY, pretraining: [{ pretraining: { kind: 'train', datasetIds: ['kermany'], labelMap: {} } }] })).rejects.toThrow(/the pre-training dataset "kermany" is not in the library/)
      await expect(services.studies.start({ ...TINY_STUDY, seeds: [1, 1] })).rejects.toThrow(/the study is not valid: seeds: 1 is listed twice/)
      await expect(services.studies.start({ ...TINY_STUDY, pretraining: [{ pretraining: { kind: 'train', datasetIds: ['other'], labelMap: { 'COVID-19': 'exclude', normal: 'normal' } } }] })).rejects.toThrow(
        /the test set "external" has 16 images \(16 patients\) of patients in the pre-training dataset "other"/,
      )
      expect(await services.studies.list()).toEqual([])
    } finally {
      await services.close()
    }
  })

  it('survives a restart in the middle: every run and evaluation made exactly once', async () => {
    const dataFolder = join(root, 'restart')
    const first = createStudyServices(dataFolder, fixtures, { autoContinue: true })
    // Enough epochs that a run stopped at its first steps is surely unfinished when the program closes.
    const started = await first.studies.start({ ...TINY_STUDY, training: { ...TINY_STUDY.training, epochs: 8 } })
    const studyId = started.record.id
    expect(started.record.slots).toHaveLength(4)
    expect(started.progress.runs).toMatchObject({ total: 4, completed: 0 })
    expect(started.record.datasetProbe).toBe(true)

    // Stop while a later run is training, once at least one evaluation is recorded. Decided on the run's own
    // progress events (a training step), so the run is surely unfinished when the program closes.
    let training: string | undefined
    await new Promise<void>((resolve) => {
      let evaluated = false
      const stopStudy = first.studies.onDidChange(() => {
        void first.studies.get({ studyId }).then(({ record }) => (evaluated ||= record.evaluations.length >= 1))
      })
      const stopRuns = first.runs.onDidProgress(({ runId, progress }) => {
        if (training || !evaluated || progress.phase !== 'finetune' || progress.epoch > 0) return
        training = runId
        stopStudy()
        stopRuns()
        resolve()
      })
    })
    await first.close()
    const file = join(dataFolder, 'studies', studyId, 'study.json')
    const stopped = JSON.parse(readFileSync(file, 'utf8')) as StudyRecord
    expect(stopped.state).toBe('running')
    const slot = stopped.slots.findIndex((entry) => entry.runId === training)
    expect(slot).toBeGreaterThan(0)
    const interruptedRun = stopped.slots[slot].runId!
    const firstEvaluation = stopped.evaluations[0].evaluationId
    // As if the program died between starting the run and recording it, and between evaluating and recording it.
    stopped.slots[slot].runId = null
    stopped.evaluations = stopped.evaluations.slice(1)
    writeFileSync(file, JSON.stringify(stopped))

    const second = createStudyServices(dataFolder, fixtures, { autoContinue: true })
    try {
      await second.studies.list()
      const done = await second.studies.waitForStudy({ studyId })
      expect(done.record.state).toBe('completed')
      expect(done.record.problems).toEqual([])
      expect(done.progress.runs).toMatchObject({ total: 4, completed: 4, failed: 0 })
      expect(done.progress.evaluations).toEqual({ total: 8, done: 8 })
      expect(done.progress.probes).toEqual({ total: 4, done: 4 })

      // Exactly four runs exist, one per slot; the interrupted one was found again and resumed, not trained anew.
      const runs = await second.runs.list()
      expect(runs).toHaveLength(4)
      expect(new Set(done.record.slots.map((slot) => slot.runId))).toEqual(new Set(runs.map((run) => run.id)))
      expect(done.record.slots[slot].runId).toBe(interruptedRun)
      const resumed = runs.find((run) => run.id === interruptedRun)!
      expect(resumed.state).toBe('completed')
      expect(resumed.timings.attempts, resumed.log.join('\n')).toBe(2)
      expect(runs.filter((run) => run.id !== interruptedRun).every((run) => run.timings.attempts === 1)).toBe(true)

      // Exactly one evaluation per run and test set; the one whose link was lost was found, not made again.
      const evaluations = await second.evaluation.list()
      expect(evaluations).toHaveLength(8)
      expect(new Set(evaluations.map((evaluation) => `${evaluation.runId}/${evaluation.compositionId}`)).size).toBe(8)
      expect(done.record.evaluations.map((link) => link.evaluationId)).toContain(firstEvaluation)

      const analysis = await second.studies.analysis({ studyId })
      expect(analysis.rows.map((row) => row.label)).toEqual(['Conv8, equalized only, no pre-training, trained on synthetic', 'Conv8, raw pixels, no pre-training, trained on synthetic'])
      expect(analysis.columns.map((column) => [column.name, column.testOnly])).toEqual([['synthetic', false], ['external', true]])
      for (const row of analysis.cells) for (const cell of row) expect(cell.seeds).toEqual([1, 2])
      expect(analysis.cells[0][1].n).toBe(16)
      // One factor (preprocessing) × two test sets × AUC and balanced accuracy, Holm-corrected together.
      expect(analysis.comparisons).toHaveLength(4)
      expect(analysis.comparisons.every((comparison) => comparison.method === 'paired-bootstrap' && comparison.factor === 'preprocessing' && !comparison.provisional)).toBe(true)
      expect(analysis.comparisons.filter((comparison) => comparison.adjustedPValue !== undefined).every((comparison) => comparison.correction === 'holm')).toBe(true)
      expect(done.record.log.some((line) => line.includes(`found run ${interruptedRun}`))).toBe(true)
      expect(done.record.log.some((line) => line.includes('found the evaluation'))).toBe(true)
    } finally {
      await second.close()
    }
  })

  it('deleting a study can be undone within the hour, as it was; after the hour the next start lets it go', async () => {
    // The study the restart test completed.
    const dataFolder = join(root, 'restart')
    const services = createStudyServices(dataFolder, fixtures, { autoContinue: true })
    let studyId = ''
    try {
      const [study] = await services.studies.list()
      expect(study?.record.state, 'the restart test above did not complete its study').toBe('completed')
      studyId = study.record.id
      const before = readFileSync(join(dataFolder, 'studies', studyId, 'study.json'), 'utf8')
      const runsBefore = (await services.runs.list()).map((run) => run.id).sort()

      await services.studies.remove({ studyId })
      expect(await services.studies.list()).toEqual([])
      expect(existsSync(join(dataFolder, 'studies', studyId))).toBe(false)
      // Its runs stay, as the confirmation says.
      expect((await services.runs.list()).map((run) => run.id).sort()).toEqual(runsBefore)

      const back = await services.studies.restore({ studyId })
      expect(back.record.state).toBe('completed')
      expect(readFileSync(join(dataFolder, 'studies', studyId, 'study.json'), 'utf8')).toBe(before)
      expect((await services.studies.list()).map((entry) => entry.record.id)).toEqual([studyId])
      await expect(services.studies.restore({ studyId })).rejects.toThrow('this study can no longer be brought back: a deleted study is kept for an hour')

      // Deleted two hours ago, as far as the next start can tell: it is gone for good.
      await services.studies.remove({ studyId })
      writeFileSync(join(dataFolder, 'studies-deleted', studyId, 'deleted-at.txt'), new Date(Date.now() - 2 * 3600_000).toISOString())
    } finally {
      await services.close()
    }
    const later = createStudyServices(dataFolder, fixtures, { autoContinue: true })
    try {
      expect(await later.studies.list()).toEqual([])
      expect(existsSync(join(dataFolder, 'studies-deleted', studyId))).toBe(false)
      await expect(later.studies.restore({ studyId: studyId })).rejects.toThrow('no longer be brought back')
    } finally {
      await later.close()
    }
  })
})
