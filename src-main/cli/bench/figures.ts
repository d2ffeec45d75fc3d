import type { Architecture, Preprocessing } from '@shared/runs/config'

/** One measured figure of `cxr bench`: a row of the table, a record of the JSON. */
export interface BenchFigure {
  suite: string
  name: string
  value: number
  unit: string
  /** How it was measured: batch, runs, sizes. */
  detail: string
}

/** What the scale suite generates and trains (`--images`, `--network`, `--preprocessing`, `--until`). */
export interface ScaleRequest {
  images: number
  network: Architecture
  preprocessing: Preprocessing
  /** The last stage to measure (`--until`): `import` stops after the import, `run` (default) goes through both runs. */
  until?: 'import' | 'run'
}

/** Options every suite understands. */
export interface BenchOptions {
  batch: number
  size: number
  runs: number
  warmup: number
  /** Also time the reference implementation (PyTorch) where it is installed. */
  peer?: boolean
  /** The scale suite's request; its defaults when absent. */
  scale?: ScaleRequest
  log: (text: string) => void
}

/** A group of figures; later capabilities add their own suites. */
export interface BenchSuite {
  name: string
  describe: string
  run(options: BenchOptions): Promise<BenchFigure[]>
}

/** Median of a non-empty list: robust to the odd slow run (GC, another process). */
export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of no values')
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Runs `step` `warmup` times untimed, then `runs` times timed; returns each timed duration in ms. */
export async function timeRuns(step: () => Promise<void>, warmup: number, runs: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await step()
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const began = performance.now()
    await step()
    times.push(performance.now() - began)
  }
  return times
}

/** Formats figures as an aligned text table. */
export function formatFigures(figures: BenchFigure[]): string {
  const rows = figures.map((f) => [f.suite, f.name, formatValue(f.value), f.unit, f.detail])
  const header = ['suite', 'figure', 'value', 'unit', 'how']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd()
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n'
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2)
}
