import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describeConfigIssues, RunConfigSchema } from '@shared/runs/config'
import type { RunRecord } from '@shared/runs/record'
import type { RunsServiceImpl } from '../../services/runs'
import { UsageError, parseCommandLine, type CliCommand, type CliIo } from '../command'
import { findComposition } from '../lookup'

/** Seconds between two progress lines on stderr (epoch ends are always printed). */
const PROGRESS_INTERVAL_SECONDS = 5

/**
 * `cxr train CONFIG.json` / `cxr train --resume RUN_ID`: one training run, headless, in a worker thread, through
 * the same runs service as the app (same input pipeline, same lung model choice, same records), so a run started
 * here can be followed, resumed or evaluated in the app and the other way round.
 */
export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'train a COVID classifier from a run configuration (JSON), or resume a run; writes its run record',
  usage: 'cxr train CONFIG.json | cxr train --resume RUN_ID   (see src-shared/runs/config.ts; e.g. {"architecture":"resnet18","compositionId":"…"})',
  async run(args, { io, services }) {
    const { values, positionals } = parseCommandLine(args, { resume: { type: 'string' } }, true)
    if (values.resume !== undefined && positionals.length > 0) throw new UsageError('give either CONFIG.json or --resume RUN_ID, not both')
    const app = services()
    const runs = app.runs
    let runId: string
    if (values.resume !== undefined) {
      const record = await runs.get({ runId: values.resume })
      runId = record.id
      await runs.resume({ runId })
      io.stderr(`run ${runId} resumed from its last checkpoint (Ctrl-C cancels and keeps a checkpoint)\n`)
    } else {
      if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give one CONFIG.json (or --resume RUN_ID)' : `one CONFIG.json at a time, got ${positionals.length}`)
      const config = await readConfig(positionals[0])
      // A composition may be named by any unique beginning of its id, or by its name, as the lists show it.
      if (typeof config.compositionId === 'string') config.compositionId = (await findComposition(app.compositions, config.compositionId)).id
      const parsed = RunConfigSchema.safeParse(config)
      if (!parsed.success) throw new UsageError(`${positionals[0]}: ${describeConfigIssues(parsed.error).join('; ')}`)
      runId = (await runs.start(parsed.data)).runId
      io.stderr(`run ${runId} started (Ctrl-C cancels and keeps a checkpoint; 'cxr train --resume ${runId.slice(0, 19)}' continues it)\n`)
    }
    return follow(runs, runId, io)
  },
}

async function readConfig(file: string): Promise<Record<string, unknown>> {
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`)
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`)
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${file} must hold one JSON object (the run configuration)`)
  return raw as Record<string, unknown>
}

/** Prints progress until the run settles; Ctrl-C cancels it (a checkpoint is kept). */
async function follow(runs: RunsServiceImpl, runId: string, io: CliIo): Promise<number> {
  let lastLine = 0
  const stopProgress = runs.onDidProgress(({ runId: id, progress }) => {
    if (id !== runId) return
    const now = performance.now() / 1000
    if (now - lastLine < PROGRESS_INTERVAL_SECONDS && progress.step !== progress.stepsPerEpoch) return
    lastLine = now
    if (progress.phase === 'preparing') {
      io.stderr(`preparing inputs ${progress.step}/${progress.stepsPerEpoch}\n`)
      return
    }
    const eta = progress.etaSeconds === null ? '' : `, ~${Math.round(progress.etaSeconds)} s left`
    io.stderr(`${progress.phase} epoch ${progress.epoch + 1}/${progress.epochs} step ${progress.step}/${progress.stepsPerEpoch}, loss ${progress.loss?.toFixed(4)}, ${progress.imagesPerSecond.toFixed(1)} img/s${eta}\n`)
  })
  const stopChanges = runs.onDidChange((event) => {
    if (event.runId !== runId || event.kind !== 'epoch' || !event.metrics) return
    const m = event.metrics
    const penalty = m.trainPenalty > 0 ? ` (+ weight-decay penalty ${m.trainPenalty.toFixed(4)})` : ''
    io.stderr(`${m.phase} epoch ${m.epoch + 1}: train loss ${m.trainLoss.toFixed(4)}${penalty}, val loss ${m.valLoss.toFixed(4)}, val AUC ${m.valAuc?.toFixed(3) ?? 'n/a'}\n`)
  })
  const onInterrupt = () => void runs.cancel({ runId })
  process.once('SIGINT', onInterrupt)
  try {
    const record: RunRecord = await runs.waitForRun({ runId })
    io.stderr(`run ${runId}: ${record.state}${record.failureReason ? `: ${record.failureReason}` : ''}\n`)
    io.stdout(`${join(runs.runFolder(runId), 'record.json')}\n`)
    return record.state === 'completed' ? 0 : 1
  } finally {
    process.off('SIGINT', onInterrupt)
    stopProgress()
    stopChanges()
    await runs.close()
  }
}
