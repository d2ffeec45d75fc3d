import { writeFile } from 'node:fs/promises'
import { predictionsToCsv } from '@shared/evaluation/csv'
import { EvaluationSplitSchema, EvaluationVariantSchema } from '@shared/evaluation/types'
import { UsageError, parseCommandLine, type CliCommand } from '../command'
import { findComposition } from '../lookup'
import { numberOption } from './metrics'

/** `cxr evaluate RUN_ID COMPOSITION_ID`: scores a run on a composition split, stores it, prints the metrics. */
export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  summary: "score a trained run on a composition's split; store and print the metrics, optionally write the predictions",
  usage: 'cxr evaluate RUN_ID COMPOSITION_ID [--split test|validation|train] [--variant standard|lungs-removed] [--out PREDICTIONS.csv] [--replicates N] [--threshold T] [--haldane]',
  async run(args, { io, services }) {
    const { values, positionals } = parseCommandLine(
      args,
      {
        split: { type: 'string', default: 'test' },
        variant: { type: 'string', default: 'standard' },
        out: { type: 'string' },
        replicates: { type: 'string' },
        threshold: { type: 'string' },
        haldane: { type: 'boolean' },
      },
      true,
    )
    if (positionals.length !== 2) throw new UsageError('give a RUN_ID and a COMPOSITION_ID')
    const split = EvaluationSplitSchema.safeParse(values.split)
    if (!split.success) throw new UsageError(`--split must be test, validation or train, got '${values.split}'`)
    const variant = EvaluationVariantSchema.safeParse(values.variant)
    if (!variant.success) throw new UsageError(`--variant must be standard or lungs-removed, got '${values.variant}'`)
    const replicates = numberOption(values.replicates, 'replicates', (n) => Number.isInteger(n) && n >= 0, 'a whole number ≥ 0') ?? 1000
    const threshold = numberOption(values.threshold, 'threshold', (n) => n > 0 && n < 1, 'a number between 0 and 1') ?? 0.5
    const app = services()
    // Runs and compositions by any unique beginning of their ids (as lists show them), compositions also by name.
    const runId = (await app.runs.get({ runId: positionals[0] })).id
    const compositionId = (await findComposition(app.compositions, positionals[1])).id
    const evaluation = app.evaluation
    const record = await evaluation.evaluate({
      runId,
      compositionId,
      split: split.data,
      variant: variant.data,
      options: { threshold, haldane: values.haldane === true, replicates, seed: 20200428 },
    })
    if (values.out) await writeFile(values.out, predictionsToCsv(record.predictions))
    const { predictions: _rows, ...summary } = record
    io.stdout(`${JSON.stringify(summary, null, 2)}\n`)
    io.stderr(`evaluation ${record.id}: ${record.predictions.length} images${values.out ? `, predictions in ${values.out}` : ''}\n`)
    return 0
  },
}
