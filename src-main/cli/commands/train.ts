import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { RunConfigSchema } from '@shared/runs/config'
import { BackendPreferenceSchema } from '@shared/system/engineTypes'
import type { AppServices } from '../../app/createServices'
import { APP_VERSION } from '../../app/version'
import { BACKEND_ENV } from '../../services/engine/engineService'
import { createRunsService, type RunsServiceImpl } from '../../services/runs'
import { UsageError, type CliCommand } from '../command'

/** Seconds between two progress lines on stderr (epoch ends are always printed). */
const PROGRESS_INTERVAL_SECONDS = 5

/**
 * The runs service over the app's data folder and library, with the worker on the same backend preference as
 * the engine (environment variable first, then the saved setting).
 */
export function runsServiceFor(services: AppServices, env: NodeJS.ProcessEnv = process.env): RunsServiceImpl {
  return createRunsService({
    dataFolder: services.dataFolder,
    library: services.library,
    appVersion: APP_VERSION,
    backend: () => {
      const fromEnv = BackendPreferenceSchema.safeParse(env[BACKEND_ENV]?.trim())
      if (fromEnv.success) return { preference: fromEnv.data, source: 'environment' }
      const saved = services.settings.get().backend
      return { preference: saved, source: saved === 'auto' ? 'default' : 'setting' }
    },
  })
}

/** `cxr train CONFIG.json`: one training run, headless, in a worker thread; progress on stderr. */
export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'train a COVID classifier from a run configuration (JSON) and write its run record',
  usage: 'cxr train CONFIG.json   (see src-shared/runs/config.ts; e.g. {"architecture":"resnet18","compositionId":"…"})',
  async run(args, { io, services }) {
    if (args.length !== 1) throw new UsageError(args.length === 0 ? 'give one CONFIG.json' : `one CONFIG.json at a time, got ${args.length}`)
    const file = args[0]
    if (!existsSync(file)) throw new UsageError(`no such file: ${file}`)
    let raw: unknown
    try {
      raw = JSON.parse(await readFile(file, 'utf8'))
    } catch (error) {
      throw new UsageError(`${file} is not JSON: ${(error as Error).message}`)
    }
    const parsed = RunConfigSchema.safeParse(raw)
    if (!parsed.success) throw new UsageError(`${file}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`)
    const runs = runsServiceFor(services())
    let lastLine = 0
    runs.onDidProgress(({ progress }) => {
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
    runs.onDidChange((event) => {
      if (event.kind === 'epoch' && event.metrics) {
        const m = event.metrics
        io.stderr(`${m.phase} epoch ${m.epoch + 1}: train loss ${m.trainLoss.toFixed(4)}, val loss ${m.valLoss.toFixed(4)}, val AUC ${m.valAuc?.toFixed(3) ?? 'n/a'}\n`)
      }
    })
    const { runId } = await runs.start(parsed.data)
    io.stderr(`run ${runId} started (Ctrl-C cancels and keeps a checkpoint)\n`)
    const onInterrupt = () => void runs.cancel({ runId })
    process.once('SIGINT', onInterrupt)
    try {
      const record = await runs.waitForRun({ runId })
      io.stderr(`run ${runId}: ${record.state}${record.failureReason ? `: ${record.failureReason}` : ''}\n`)
      io.stdout(`${join(runs.runFolder(runId), 'record.json')}\n`)
      return record.state === 'completed' ? 0 : 1
    } finally {
      process.off('SIGINT', onInterrupt)
      await runs.close()
    }
  },
}
