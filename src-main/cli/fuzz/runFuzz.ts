/**
 * A fuzz run: `count` seeded mutations of the inputs, each decoded in a child process under a
 * wall-clock and a memory limit, tallied as decoded / typed error / crash / hang / over memory.
 * Children are reused between inputs and replaced after a kill or a crash, or once their memory
 * has grown past half the limit (so one input's leftovers are not charged to the next).
 */
import { DecodeChild, type ChildEntry, type ChildLimits, type ChildOutcome } from './decodeChild'
import type { FuzzInput } from './inputs'
import { makeMutation, type Mutation } from './mutations'

/** What to run. */
export interface FuzzOptions {
  count: number
  seed: number
  limits: ChildLimits
  /** Children decoding side by side. */
  jobs: number
  /** Run only this mutation index (a replay). */
  only?: number
  entry: ChildEntry
  /** Called after each input, e.g. for a progress line. */
  onResult?: (done: number, total: number) => void
}

/** A mutation that crashed, hung, ran over memory or broke the error contract. */
export interface FuzzFailure {
  index: number
  kind: 'crash' | 'hang' | 'memory' | 'untyped-error'
  source: string
  mutation: string
  detail: string
  milliseconds: number
  peakRssBytes: number
}

/** The tally of a run. */
export interface FuzzReport {
  seed: number
  mutations: number
  inputs: number
  counts: { decoded: number; typedErrors: number; crashes: number; hangs: number; overMemory: number }
  /** Typed errors by ImagingError code. */
  errorCodes: Record<string, number>
  /** Typed errors that wrap a JavaScript TypeError, RangeError...: decoder bugs dressed as damage (listed, not failures). */
  internalErrors: Array<{ index: number; source: string; mutation: string; detail: string }>
  failures: FuzzFailure[]
  peakRssBytes: number
  slowest: { index: number; milliseconds: number; source: string; mutation: string } | undefined
  seconds: number
}

/** Run the mutations; resolves with the tally (never rejects for what a decode does). */
export async function runFuzz(inputs: FuzzInput[], options: FuzzOptions): Promise<FuzzReport> {
  if (inputs.length === 0) throw new Error('no inputs to mutate')
  const started = performance.now()
  const indices = options.only !== undefined ? [options.only] : Array.from({ length: options.count }, (_, i) => i)
  const report: FuzzReport = {
    seed: options.seed,
    mutations: indices.length,
    inputs: inputs.length,
    counts: { decoded: 0, typedErrors: 0, crashes: 0, hangs: 0, overMemory: 0 },
    errorCodes: {},
    internalErrors: [],
    failures: [],
    peakRssBytes: 0,
    slowest: undefined,
    seconds: 0,
  }
  let next = 0
  let done = 0
  const worker = async () => {
    let child: DecodeChild | undefined
    try {
      while (next < indices.length) {
        const mutation = makeMutation(options.seed, indices[next++], inputs)
        child = child?.alive ? child : await DecodeChild.start(options.entry, options.limits)
        const outcome = await child.run({ id: mutation.index, name: mutation.source, bytes: mutation.bytes })
        tally(report, mutation, outcome)
        if (child.alive && child.residentBytes() > options.limits.memoryBytes / 2) child.close()
        options.onResult?.(++done, indices.length)
      }
    } finally {
      child?.close()
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, indices.length)) }, worker))
  report.failures.sort((a, b) => a.index - b.index)
  report.internalErrors.sort((a, b) => a.index - b.index)
  report.seconds = (performance.now() - started) / 1000
  return report
}

function tally(report: FuzzReport, mutation: Mutation, outcome: ChildOutcome): void {
  report.peakRssBytes = Math.max(report.peakRssBytes, outcome.peakRssBytes)
  const milliseconds = outcome.kind === 'reply' ? outcome.reply.milliseconds : outcome.milliseconds
  if (!report.slowest || milliseconds > report.slowest.milliseconds) {
    report.slowest = { index: mutation.index, milliseconds, source: mutation.source, mutation: mutation.description }
  }
  const fail = (kind: FuzzFailure['kind'], detail: string): void => void report.failures.push({
      index: mutation.index,
      kind,
      source: mutation.source,
      mutation: mutation.description,
      detail,
      milliseconds,
      peakRssBytes: outcome.peakRssBytes,
    })
  switch (outcome.kind) {
    case 'hang':
      report.counts.hangs++
      return fail('hang', `no answer within ${Math.round(milliseconds)} ms: killed`)
    case 'memory':
      report.counts.overMemory++
      return fail('memory', `resident memory passed the limit (${Math.round(outcome.peakRssBytes / 2 ** 20)} MB): killed`)
    case 'crash':
      report.counts.crashes++
      return fail('crash', outcome.detail)
  }
  const reply = outcome.reply
  if (reply.outcome === 'decoded') {
    report.counts.decoded++
  } else if (reply.outcome === 'typed-error') {
    report.counts.typedErrors++
    const code = reply.code ?? 'unknown'
    report.errorCodes[code] = (report.errorCodes[code] ?? 0) + 1
    if (reply.internal) report.internalErrors.push({ index: mutation.index, source: mutation.source, mutation: mutation.description, detail: reply.internal })
  } else {
    // An error that is not an ImagingError breaks the service's contract: counted with the crashes.
    report.counts.crashes++
    fail('untyped-error', reply.detail)
  }
}
