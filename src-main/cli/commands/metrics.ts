import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { CsvError, parsePredictionsCsv } from '@shared/evaluation/csv'
import { DEFAULT_BOOTSTRAP, evaluateBinary, toJsonSafe } from '@shared/metrics'
import { UsageError, parseCommandLine, type CliCommand } from '../command'

/** Parses a numeric option, as a usage error when it is not a number in range. */
export function numberOption(value: string | undefined, name: string, check: (n: number) => boolean, what: string): number | undefined {
  if (value === undefined) return undefined
  const parsed = Number(value)
  if (value.trim() === '' || !Number.isFinite(parsed) || !check(parsed)) throw new UsageError(`--${name} must be ${what}, got '${value}'`)
  return parsed
}

/**
 * `cxr metrics PREDICTIONS.csv`: every metric of the paper (and precision, NPV, Youden) from a CSV of labels and
 * scores, as JSON; with bootstrap CIs by patient when the file has a `patient` column (or `--replicates` is given).
 */
export const metricsCommand: CliCommand = {
  name: 'metrics',
  summary: 'compute every metric (with bootstrap CIs by patient) from a CSV of label,score[,patient]',
  usage: 'cxr metrics PREDICTIONS.csv [--threshold T] [--haldane] [--replicates N] [--seed S]',
  async run(args, { io }) {
    const { values, positionals } = parseCommandLine(
      args,
      { threshold: { type: 'string' }, haldane: { type: 'boolean' }, replicates: { type: 'string' }, seed: { type: 'string' } },
      true,
    )
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give one PREDICTIONS.csv' : `one PREDICTIONS.csv at a time, got ${positionals.length}`)
    const file = positionals[0]
    if (!existsSync(file)) throw new UsageError(`no such file: ${file}`)
    const threshold = numberOption(values.threshold, 'threshold', (n) => n > 0 && n < 1, 'a number between 0 and 1') ?? 0.5
    const replicates = numberOption(values.replicates, 'replicates', (n) => Number.isInteger(n) && n >= 0, 'a whole number ≥ 0')
    const seed = numberOption(values.seed, 'seed', Number.isInteger, 'a whole number') ?? DEFAULT_BOOTSTRAP.seed
    let parsed
    try {
      parsed = parsePredictionsCsv(await readFile(file, 'utf8'))
    } catch (error) {
      if (error instanceof CsvError) {
        io.stderr(`cxr metrics: ${file}: ${error.message}\n`)
        return 1
      }
      throw error
    }
    // CIs by default only with patients: image-level intervals on correlated radiographs are too narrow.
    const bootstrap = replicates === undefined ? (parsed.patients ? { replicates: DEFAULT_BOOTSTRAP.replicates, seed } : undefined) : replicates > 0 ? { replicates, seed } : undefined
    const result = evaluateBinary({ ...parsed, threshold, haldane: values.haldane === true, bootstrap })
    io.stdout(`${JSON.stringify(toJsonSafe(result), null, 2)}\n`)
    return 0
  },
}
