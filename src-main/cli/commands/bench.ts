import { ArchitectureSchema, PreprocessingSchema } from '@shared/runs/config'
import { parseCommandLine, UsageError, type CliCommand } from '../command'
import { formatFigures, type BenchFigure, type BenchSuite } from '../bench/figures'
import { decodeSuite } from '../bench/decodeSuite'
import { imagingSuite } from '../bench/imagingSuite'
import { importSuite } from '../bench/importSuite'
import { startCpuLoad } from '../bench/cpuLoad'
import { resnetSuite } from '../bench/resnetSuite'
import { responsivenessSuite } from '../bench/responsivenessSuite'
import { scaleSuite } from '../bench/scaleSuite'
import { segmentationSuite } from '../bench/segmentationSuite'
import { trainingSuite } from '../bench/trainingSuite'
import { viewerSuite } from '../bench/viewerSuite'

/** Every benchmark suite, in the order they run. */
export const benchSuites: BenchSuite[] = [resnetSuite, imagingSuite, decodeSuite, importSuite, viewerSuite, segmentationSuite, trainingSuite, responsivenessSuite]
/** Suites run only when named with `--suite` (they write gigabytes and take minutes). */
export const onDemandSuites: BenchSuite[] = [scaleSuite]

/** `cxr bench`: speed figures for the active backend (figures, not pass/fail). */
export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'measure speed on the active backend and print a table (or --json)',
  usage: 'cxr bench [--json] [--no-peer] [--suite NAME] [--batch 8] [--size 224] [--runs 3] [--warmup 1] [--load N] [--images 1000] [--network conv8] [--preprocessing equalize] [--until import|run]',
  async run(args, { io, services }) {
    const options = parseOptions(args)
    const engine = await services().engine.init()
    const known = [...benchSuites, ...onDemandSuites]
    const suites = options.suite ? known.filter((s) => s.name === options.suite) : benchSuites
    if (suites.length === 0) throw new UsageError(`no suite '${options.suite}'; suites: ${known.map((s) => s.name).join(', ')}`)
    const figures: BenchFigure[] = []
    // The load runs for every suite, so ours and the PyTorch peer's figures are taken under the same conditions.
    const load = options.load > 0 ? startCpuLoad(options.load) : null
    try {
      for (const suite of suites) figures.push(...(await suite.run({ ...options, log: (text) => io.stderr(`${text}\n`) })))
    } finally {
      await load?.stop()
    }
    if (load) figures.push({ suite: 'bench', name: 'load', value: load.processes, unit: 'processes', detail: 'CPU-bound processes (a spinning node each) running through every figure above' })
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
    load: { type: 'string', default: '0' },
    images: { type: 'string', default: '1000' },
    network: { type: 'string', default: 'conv8' },
    preprocessing: { type: 'string', default: 'equalize' },
    until: { type: 'string', default: 'run' },
  })
  const count = (name: string, text: string, min: number) => {
    const value = Number(text)
    if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${text}'`)
    return value
  }
  const choice = <T extends string>(name: string, text: string, allowed: readonly T[]): T => {
    if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got '${text}'`)
    return text as T
  }
  return {
    json: values.json,
    peer: values['no-peer'] !== true,
    suite: values.suite,
    batch: count('batch', values.batch, 1),
    size: count('size', values.size, 32),
    runs: count('runs', values.runs, 1),
    warmup: count('warmup', values.warmup, 0),
    load: count('load', values.load, 0),
    scale: {
      images: count('images', values.images, 10),
      network: choice('network', values.network, ArchitectureSchema.options),
      preprocessing: choice('preprocessing', values.preprocessing, PreprocessingSchema.options),
      until: choice('until', values.until, ['import', 'run'] as const),
    },
  }
}
