import { parseCommandLine, UsageError, type CliCommand } from '../command'
import { formatFigures, type BenchFigure, type BenchSuite } from '../bench/figures'
import { decodeSuite } from '../bench/decodeSuite'
import { imagingSuite } from '../bench/imagingSuite'
import { importSuite } from '../bench/importSuite'
import { resnetSuite } from '../bench/resnetSuite'
import { responsivenessSuite } from '../bench/responsivenessSuite'
import { segmentationSuite } from '../bench/segmentationSuite'
import { trainingSuite } from '../bench/trainingSuite'
import { viewerSuite } from '../bench/viewerSuite'

/** Every benchmark suite, in the order they run. */
export const benchSuites: BenchSuite[] = [resnetSuite, imagingSuite, decodeSuite, importSuite, viewerSuite, segmentationSuite, trainingSuite, responsivenessSuite]

/** `cxr bench`: speed figures for the active backend (figures, not pass/fail). */
export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'measure speed on the active backend and print a table (or --json)',
  usage: 'cxr bench [--json] [--no-peer] [--suite NAME] [--batch 8] [--size 224] [--runs 3] [--warmup 1]',
  async run(args, { io, services }) {
    const options = parseOptions(args)
    const engine = await services().engine.init()
    const suites = options.suite ? benchSuites.filter((s) => s.name === options.suite) : benchSuites
    if (suites.length === 0) throw new UsageError(`no suite '${options.suite}'; suites: ${benchSuites.map((s) => s.name).join(', ')}`)
    const figures: BenchFigure[] = []
    for (const suite of suites) figures.push(...(await suite.run({ ...options, log: (text) => io.stderr(`${text}\n`) })))
    if (options.json) {
      io.stdout(`${JSON.stringify({ backend: engine.active, wasm: engine.wasm, onednn: engine.onednn, figures }, null, 2)}\n`)
    } else {
      const onednn = engine.onednn ? ` (oneDNN ${engine.onednn.version}, ${engine.onednn.threads} threads)` : ''
      io.stdout(`backend: ${engine.active}${onednn}\n${formatFigures(figures)}`)
    }
    return 0
  },
}

function parseOptions(args: string[]) {
  const { values } = parseCommandLine(args, {
    json: { type: 'boolean', default: false },
    'no-peer': { type: 'boolean', default: false },
    suite: { type: 'string' },
    batch: { type: 'string', default: '8' },
    size: { type: 'string', default: '224' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
  })
  const count = (name: string, text: string, min: number) => {
    const value = Number(text)
    if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${text}'`)
    return value
  }
  return {
    json: values.json,
    peer: values['no-peer'] !== true,
    suite: values.suite,
    batch: count('batch', values.batch, 1),
    size: count('size', values.size, 32),
    runs: count('runs', values.runs, 1),
    warmup: count('warmup', values.warmup, 0),
  }
}
