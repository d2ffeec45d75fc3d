import { join, resolve } from 'node:path'
import { parseCommandLine, UsageError, type CliCommand } from '../command'
import { defaultChildEntry } from '../fuzz/decodeChild'
import { loadCorpus } from '../fuzz/inputs'
import { runFuzz, type FuzzReport } from '../fuzz/runFuzz'
import { numberOption } from './metrics'

/**
 * `cxr fuzz`: damages real (or generated) radiographs in seeded ways and decodes each copy in a child process
 * under a time and a memory limit. Every copy must decode or fail with a typed ImagingError: a crash, a hang or a
 * runaway allocation makes the exit code 1, and each is listed with the seed and mutation that replay it.
 */
export const fuzzCommand: CliCommand = {
  name: 'fuzz',
  summary: 'decode seeded damaged copies of radiographs in child processes; fail on any crash, hang or memory overrun',
  usage: 'cxr fuzz [--count N] [--seed S] [--files GLOB] [--only INDEX] [--timeout-ms MS] [--memory-mb MB] [--jobs J] [--json]',
  async run(args, { io }) {
    const options = parseOptions(args)
    const corpus = await loadCorpus(options.files, options.sharedData)
    if (!options.json) io.stderr(`cxr fuzz: ${corpus.inputs.length} input file(s) from ${corpus.origin}; seed ${options.seed}; ${options.only !== undefined ? `mutation ${options.only} only` : `${options.count} mutations`}\n`)
    const report = await runFuzz(corpus.inputs, {
      count: options.count,
      seed: options.seed,
      only: options.only,
      jobs: options.jobs,
      limits: { timeoutMilliseconds: options.timeoutMilliseconds, memoryBytes: options.memoryMegabytes * 2 ** 20 },
      entry: defaultChildEntry(),
      onResult: options.json ? undefined : (done, total) => (done % 50 === 0 || done === total) && io.stderr(`cxr fuzz: ${done}/${total}\n`),
    })
    io.stdout(options.json ? `${JSON.stringify({ origin: corpus.origin, ...report }, null, 2)}\n` : formatReport(report))
    return report.failures.length > 0 ? 1 : 0
  },
}

interface FuzzCliOptions {
  count: number
  seed: number
  only?: number
  files?: string
  timeoutMilliseconds: number
  memoryMegabytes: number
  jobs: number
  json: boolean
  sharedData: string
}

function parseOptions(args: string[]): FuzzCliOptions {
  const { values } = parseCommandLine(args, {
    count: { type: 'string' },
    seed: { type: 'string' },
    only: { type: 'string' },
    files: { type: 'string' },
    'timeout-ms': { type: 'string' },
    'memory-mb': { type: 'string' },
    jobs: { type: 'string' },
    json: { type: 'boolean', default: false },
  })
  const whole = (n: number) => Number.isInteger(n) && n >= 1
  return {
    count: numberOption(values.count, 'count', whole, 'a whole number ≥ 1') ?? 100,
    // A run without --seed still prints the seed it used, so its failures replay.
    seed: numberOption(values.seed, 'seed', (n) => Number.isInteger(n) && n >= 0, 'a whole number ≥ 0') ?? Math.floor(Math.random() * 2 ** 31),
    only: numberOption(values.only, 'only', (n) => Number.isInteger(n) && n >= 0, 'a mutation index ≥ 0'),
    files: values.files,
    timeoutMilliseconds: numberOption(values['timeout-ms'], 'timeout-ms', (n) => n >= 100, 'at least 100') ?? 5000,
    memoryMegabytes: numberOption(values['memory-mb'], 'memory-mb', (n) => n >= 128, 'at least 128') ?? 1024,
    jobs: numberOption(values.jobs, 'jobs', (n) => Number.isInteger(n) && n >= 1 && n <= 16, 'a whole number from 1 to 16') ?? 1,
    json: values.json === true,
    sharedData: resolve(process.env.CXR_SHARED_DATA ?? join(process.cwd(), '..', 'shared', 'data')),
  }
}

function formatReport(report: FuzzReport): string {
  const megabytes = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`
  const codes = Object.entries(report.errorCodes)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code} ${n}`)
    .join(', ')
  const lines = [
    `seed ${report.seed}: ${report.mutations} mutation(s) of ${report.inputs} input(s) in ${report.seconds.toFixed(1)} s`,
    `  decoded            ${report.counts.decoded}`,
    `  clean typed errors ${report.counts.typedErrors}${codes ? ` (${codes})` : ''}`,
    `  crashes            ${report.counts.crashes}`,
    `  hangs              ${report.counts.hangs}`,
    `  over memory        ${report.counts.overMemory}`,
    `  peak RSS           ${megabytes(report.peakRssBytes)}`,
  ]
  if (report.slowest) lines.push(`  slowest            #${report.slowest.index}, ${Math.round(report.slowest.milliseconds)} ms (${report.slowest.source}: ${report.slowest.mutation})`)
  if (report.internalErrors.length > 0) {
    lines.push('', `typed errors wrapping a JavaScript error (decoder bugs to look at): ${report.internalErrors.length}`)
    for (const e of report.internalErrors.slice(0, 20)) lines.push(`  #${e.index} ${e.source}: ${e.mutation}: ${e.detail}`)
  }
  if (report.failures.length > 0) {
    lines.push('', `failures (replay one with: cxr fuzz --seed ${report.seed} --only INDEX):`)
    for (const f of report.failures) lines.push(`  #${f.index} ${f.kind}: ${f.source}: ${f.mutation}: ${f.detail}`)
  }
  return `${lines.join('\n')}\n`
}
