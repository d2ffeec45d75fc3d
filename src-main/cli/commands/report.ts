import { writeFile } from 'node:fs/promises'
import { EvaluationSplitSchema } from '@shared/evaluation/types'
import { APP_VERSION } from '../../app/version'
import { assembleReport } from '../../services/report/assembleReport'
import { renderReport, reportWarnings } from '../../services/report/htmlReport'
import { UsageError, type CliCommand } from '../command'

/** Options of `cxr report`; `--runs` and `--compositions` take several ids each (until the next option). */
interface ReportOptions {
  out?: string
  study?: string
  runs?: string[]
  compositions?: string[]
  split: string
  colorBy: 'balancedAccuracy' | 'auc'
  bias: boolean
  gradCam: boolean
}

/**
 * `cxr report --out report.html`: Table II from stored evaluations (nothing is scored), the lungs-removed matrix
 * when evaluated, confusion matrices and ROC curves from the stored predictions, optionally Fig. 3's bias reports
 * (`--bias`) and Grad-CAM examples (`--grad-cam`; `--figures` for both), and the runs' provenance, as one
 * self-contained HTML file.
 */
export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'write a self-contained HTML report: the cross-dataset matrix with CIs, warnings, charts and provenance',
  usage: 'cxr report --out REPORT.html [--runs RUN_ID…] [--compositions COMPOSITION_ID…] [--split test|validation|train] [--color-by balanced-accuracy|auc] [--bias] [--grad-cam] [--figures] [--study STUDY_ID]',
  async run(args, { io, services }) {
    const options = parseReportArgs(args)
    if (!options.out) throw new UsageError('give --out REPORT.html')
    const split = EvaluationSplitSchema.safeParse(options.split)
    if (!split.success) throw new UsageError(`--split must be test, validation or train, got '${options.split}'`)
    const input = await assembleReport(services(), {
      runIds: options.runs,
      compositionIds: options.compositions,
      split: split.data,
      bias: options.bias,
      gradCam: options.gradCam,
      colorBy: options.colorBy,
      studyId: options.study,
      appVersion: APP_VERSION,
      log: (line) => io.stderr(`${line}\n`),
    })
    const { matrix, evaluations = [] } = input
    await writeFile(options.out, renderReport(input))
    const warnings = reportWarnings(input)
    for (const warning of warnings) io.stderr(`warning: ${warning}\n`)
    io.stdout(`${options.out}: ${matrix.rows.length} models × ${matrix.columns.length} test sets, ${evaluations.length} evaluations, ${warnings.length} warnings\n`)
    return 0
  },
}

/** Parses `cxr report` arguments; exported for tests. */
export function parseReportArgs(args: string[]): ReportOptions {
  const options: ReportOptions = { split: 'test', colorBy: 'balancedAccuracy', bias: false, gradCam: false }
  const value = (index: number, name: string) => {
    const next = args[index + 1]
    if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`)
    return next
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    switch (name) {
      case '--out':
        options.out = inline ?? value(i++, 'out')
        break
      case '--split':
        options.split = inline ?? value(i++, 'split')
        break
      case '--study':
        options.study = inline ?? value(i++, 'study')
        break
      case '--color-by': {
        const choice = inline ?? value(i++, 'color-by')
        if (choice !== 'auc' && choice !== 'balanced-accuracy') throw new UsageError(`--color-by must be balanced-accuracy or auc, got '${choice}'`)
        options.colorBy = choice === 'auc' ? 'auc' : 'balancedAccuracy'
        break
      }
      case '--bias':
        options.bias = true
        break
      case '--grad-cam':
        options.gradCam = true
        break
      case '--figures':
        options.bias = true
        options.gradCam = true
        break
      case '--runs':
      case '--compositions': {
        const ids = inline !== undefined ? inline.split(',') : []
        while (inline === undefined && i + 1 < args.length && !args[i + 1].startsWith('--')) ids.push(...args[++i].split(','))
        const clean = ids.map((id) => id.trim()).filter(Boolean)
        if (clean.length === 0) throw new UsageError(`${name} needs at least one id`)
        if (name === '--runs') options.runs = [...(options.runs ?? []), ...clean]
        else options.compositions = [...(options.compositions ?? []), ...clean]
        break
      }
      default:
        throw new UsageError(`unknown argument '${arg}'`)
    }
  }
  return options
}
