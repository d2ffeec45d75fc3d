import type { RunRecord } from '@shared/runs/record'
import { parseCommandLine, type CliCommand } from '../command'

/**
 * `cxr runs [--json]`: every run of the data folder, newest first, with its state (and which program trains it
 * when it is running elsewhere), network, composition, best validation AUC and time.
 */
export const runsCommand: CliCommand = {
  name: 'runs',
  summary: 'list the training runs of the data folder (state, network, composition, best validation AUC)',
  usage: 'cxr runs [--json]',
  async run(args, { io, services }) {
    const { values } = parseCommandLine(args, { json: { type: 'boolean' } })
    const app = services()
    try {
      const runs = await app.runs.list()
      if (values.json) {
        io.stdout(`${JSON.stringify(runs.map(({ log: _log, provenance, ...run }) => ({ ...run, provenance: provenance ? { ...provenance, images: provenance.images.length, pretrainImages: provenance.pretrainImages.length } : null })), null, 2)}\n`)
        return 0
      }
      if (runs.length === 0) {
        io.stdout("no runs yet: 'cxr train CONFIG.json' starts one\n")
        return 0
      }
      const compositions = new Map((await app.compositions.list()).map((composition) => [composition.id, composition.name]))
      const rows = runs.map((run) => [
        run.id.replace(/^run-/, '').slice(0, 15),
        run.config.name || '—',
        stateOf(run),
        `${run.config.architecture}${run.config.pretraining.kind === 'none' ? '' : ' (pre-trained)'}`,
        compositions.get(run.config.compositionId) ?? run.config.compositionId.slice(0, 8),
        run.best?.valAuc != null ? run.best.valAuc.toFixed(3) : '—',
        minutes(run.timings.prepareSeconds + run.timings.trainSeconds),
      ])
      io.stdout(table(['run', 'name', 'state', 'network', 'composition', 'best val AUC', 'time'], rows))
      return 0
    } finally {
      await app.runs.close()
    }
  },
}

function stateOf(run: RunRecord): string {
  if (run.owner && !run.owner.thisProcess && (run.state === 'running' || run.state === 'queued')) {
    const where = run.owner.kind === 'cli' ? 'a cxr command' : 'the app'
    const progress = run.progress && run.progress.phase !== 'preparing' ? `, ${run.progress.phase} epoch ${run.progress.epoch + 1}/${run.progress.epochs}` : ''
    return `${run.state} in ${where} (process ${run.owner.pid}${progress})`
  }
  return run.failureReason ? `${run.state}: ${run.failureReason.slice(0, 60)}${run.failureReason.length > 60 ? '…' : ''}` : run.state
}

function minutes(seconds: number): string {
  return seconds < 60 ? `${Math.round(seconds)} s` : `${(seconds / 60).toFixed(1)} min`
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)))
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()
  return `${[line(header), ...rows.map(line)].join('\n')}\n`
}
