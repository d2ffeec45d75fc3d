import type { RunRecord } from '@shared/runs/record'
import type { AppServices } from '../../app/createServices'
import { parseCommandLine, UsageError, type CliCommand, type CliIo } from '../command'

/**
 * `cxr runs [--json]`: every run of the data folder, newest first, with its state (and which program trains it
 * when it is running elsewhere), network, composition, best validation AUC and time. `cxr runs import DIR` brings a
 * cluster bundle's finished runs into the data folder, each checked against the hashes of its files.
 */
export const runsCommand: CliCommand = {
  name: 'runs',
  summary: 'list the training runs of the data folder (state, network, composition, best validation AUC)',
  usage: 'cxr runs [--json]\n       cxr runs import BUNDLE_DIR [--json]   (a cluster bundle\'s finished runs, checked against their hashes)',
  async run(args, { io, services }) {
    if (args[0] === 'import') return importRuns(args.slice(1), io, services())
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

/** Exit 0 when every finished run of the bundle is in the library (imported now or before), 1 when one was refused. */
async function importRuns(args: string[], io: CliIo, app: AppServices): Promise<number> {
  const { values, positionals } = parseCommandLine(args, { json: { type: 'boolean' } }, true)
  if (positionals.length !== 1) throw new UsageError('give the bundle folder the cluster wrote its results into')
  try {
    const result = await app.cluster.importResults({ folder: positionals[0] })
    if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`)
    else {
      for (const run of result.imported) io.stdout(`imported ${run.runId}  ${run.name}${run.host ? ` (trained on ${run.host})` : ''}\n`)
      for (const run of result.skipped) io.stdout(`left out ${run.runId}  ${run.name}: ${run.reason}\n`)
      for (const study of result.studies) io.stderr(`the study "${study.name}" has ${study.linked} new run${study.linked === 1 ? '' : 's'}: resume it to evaluate them ('cxr study run ${study.studyId}')\n`)
    }
    const refused = result.skipped.filter((run) => !/^(already in the library|not finished|not started)/.test(run.reason))
    return refused.length ? 1 : 0
  } finally {
    await app.runs.close()
  }
}
