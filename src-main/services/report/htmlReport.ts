/**
 * The results report: one self-contained HTML file (inline CSS, inline SVG charts, no script, no network) with
 * Table II's cross-dataset matrix, the bias and shortcut warnings, ROC / t-SNE / training charts and the
 * provenance of every run, so a reader can trace every number offline. Pure: string in, string out.
 */
import { rocCurve } from '@shared/metrics'
import { MATRIX_METRICS, type BiasReport, type EvaluationMatrix, type EvaluationRecord, type JsonSafeNumber, type MatrixCell, type MatrixMetric } from '@shared/evaluation/types'
import type { RunRecord } from '@shared/runs/record'
import type { StudyAnalysis } from '@shared/studies'
import { alarmsSection, matrixAlarms, studyReportAlarms, studySection, type ReportAlarm } from './studySection'
import { confusionSection, confusionWarnings } from './confusionSection'
import { gradCamSection, type GradCamFigures } from './gradCamSection'

/** What {@link renderReport} draws. Only `matrix` and `runs` are required; every other section is skipped when absent. */
export interface ReportInput {
  title?: string
  /** ISO time the report was made (printed; passed in so rendering stays deterministic). */
  generatedAt?: string
  /** Version of the code that wrote the report. */
  appVersion?: string
  /** Table II: standard variant. */
  matrix: EvaluationMatrix
  /** The same rows and columns scored with the lungs removed: the shortcut test. */
  lungsRemoved?: EvaluationMatrix | null
  /** Full evaluations (with per-image predictions) of the matrix cells, for the ROC curves. */
  evaluations?: EvaluationRecord[]
  /** The runs of the matrix rows (provenance, training curves). */
  runs: RunRecord[]
  /** Fig. 3: t-SNE and the dataset-identification scores, per encoder. */
  bias?: BiasReport[]
  /** Grad-CAM examples per model (computed on request: slow). */
  gradCam?: GradCamFigures | null
  /** The metric that colours the cells (default balanced accuracy: 0.5 is chance whatever the class balance). */
  colorBy?: 'balancedAccuracy' | 'auc'
  /** Warning thresholds; defaults in {@link DEFAULT_THRESHOLDS}. */
  thresholds?: Partial<ReportThresholds>
  /** A study the report covers: its table, comparisons and alarms come first. */
  study?: StudyAnalysis | null
}

/** The report's alarms: the study's when it covers one, else those the matrix's evaluations raise on their own. */
export function reportAlarms(input: ReportInput): ReportAlarm[] {
  return input.study ? studyReportAlarms(input.study) : matrixAlarms(input.matrix, input.evaluations ?? [])
}

/** When the report warns. */
export interface ReportThresholds {
  /** Test sets smaller than this are flagged. */
  minTestImages: number
  /** A 95% CI of AUC or balanced accuracy wider than this is flagged. */
  maxCiWidth: number
  /** A lungs-removed AUC within this of the standard AUC (and above `lungsRemovedFloor`) is flagged. */
  lungsRemovedGap: number
  lungsRemovedFloor: number
}

/** The default warning thresholds. */
export const DEFAULT_THRESHOLDS: ReportThresholds = { minTestImages: 50, maxCiWidth: 0.2, lungsRemovedGap: 0.1, lungsRemovedFloor: 0.6 }

const METRIC_LABELS: Record<MatrixMetric, string> = {
  accuracy: 'Acc',
  auc: 'AUC',
  sensitivity: 'Sens',
  specificity: 'Spec',
  fScore: 'F1',
  balancedAccuracy: 'BA',
  diagnosticOddsRatio: 'DOR',
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf']

/** Escapes text for HTML content and attribute values: every user- or data-supplied string goes through it. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!)
}

/** The warnings of a report's data, as plain sentences (also shown by the CLI). */
export function reportWarnings(input: ReportInput): string[] {
  const limits = { ...DEFAULT_THRESHOLDS, ...input.thresholds }
  const warnings: string[] = reportAlarms(input).map((alarm) => `Alarm: ${alarm.where}: ${alarm.message}`)
  const { matrix } = input
  warnings.push(...confusionWarnings(matrix, input.evaluations ?? []), ...(input.gradCam?.problems ?? []))
  const rowName = (index: number) => matrix.rows[index].name || matrix.rows[index].runId
  for (const report of input.bias ?? []) {
    const run = input.runs.find((candidate) => candidate.id === report.runId)
    const name = run?.config.name ?? report.runId
    for (const score of [report.probe, report.knn]) {
      if (!score.warning || score.accuracy === null) continue
      const label = score.method === 'logistic-cv' ? '"which dataset?" probe' : 'k-NN dataset separability'
      warnings.push(
        `${name}: the ${label} tells the source datasets (${score.classes.join(', ')}) apart with accuracy ${fmt(score.accuracy)} against ${fmt(score.chance)} by chance: the features encode where an image comes from.`,
      )
    }
  }
  matrix.cells.forEach((row, r) =>
    row.forEach((cell, c) => {
      if (!cell.metrics) return
      const where = `${rowName(r)} on ${matrix.columns[c].name}`
      if (cell.n !== null && cell.n < limits.minTestImages) warnings.push(`${where}: only ${cell.n} test images; its metrics are uncertain.`)
      for (const metric of ['auc', 'balancedAccuracy'] as const) {
        const ci = cell.metrics[metric]?.ci
        const lower = num(ci?.lower)
        const upper = num(ci?.upper)
        if (lower !== null && upper !== null && upper - lower > limits.maxCiWidth) {
          warnings.push(`${where}: the 95% CI of ${METRIC_LABELS[metric]} is wide (${fmt(lower)}–${fmt(upper)}).`)
        }
      }
      const removed = input.lungsRemoved ? findCell(input.lungsRemoved, cell.runId, cell.compositionId) : null
      const standardAuc = num(cell.metrics.auc?.value)
      const removedAuc = num(removed?.metrics?.auc?.value)
      if (standardAuc !== null && removedAuc !== null && removedAuc >= limits.lungsRemovedFloor && standardAuc - removedAuc < limits.lungsRemovedGap) {
        warnings.push(`${where}: with the lungs removed the AUC is still ${fmt(removedAuc)} (standard ${fmt(standardAuc)}): the model reads something outside the lungs (a shortcut).`)
      }
    }),
  )
  return warnings
}

/**
 * Renders the report as one self-contained HTML document. Everything textual is escaped, so hostile names
 * (a dataset called `<script>`) show as text; no `<script>`, no external resource, no `http` reference.
 */
export function renderReport(input: ReportInput): string {
  const title = input.title ?? 'Does the CNN see COVID-19, or the dataset? Results'
  const sections = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">${input.generatedAt ? `Generated ${escapeHtml(input.generatedAt)}` : ''}${input.appVersion ? ` by CXR Workstation ${escapeHtml(input.appVersion)}` : ''}. Split: ${escapeHtml(input.matrix.split)}; variant: ${escapeHtml(input.matrix.variant)}.</p>`,
    input.study ? studySection(input.study) : '',
    alarmsSection(reportAlarms(input)),
    warningsSection(reportWarnings(input)),
    matrixSection('Cross-dataset results (Table II layout)', input.matrix, input.colorBy ?? 'balancedAccuracy', input.runs),
    input.lungsRemoved ? matrixSection('Lungs removed (shortcut test)', input.lungsRemoved, input.colorBy ?? 'balancedAccuracy', input.runs) : '',
    confusionSection(input.matrix, input.evaluations ?? []),
    rocSection(input),
    biasSection(input),
    gradCamSection(input.gradCam),
    trainingSection(input.runs),
    provenanceSection(input.runs),
  ]
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
${sections.filter(Boolean).join('\n')}
</body>
</html>
`
}

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}h3{font-size:14px;margin:16px 0 6px}
.meta{color:#666}
table{border-collapse:collapse;font-size:12px}
th,td{border:1px solid #bbb;padding:4px 6px;vertical-align:top}
th{background:#f2f2f2;text-align:left}
td.cell div{white-space:nowrap}
td.empty{color:#999;text-align:center}
.ci{color:#555}
.warnings{background:#fff4e5;border:1px solid #f0b35b;padding:8px 16px}
.alarms{background:#fdecea;border:1px solid #e5534b;padding:8px 16px}
.paper{color:#1f5fa8}
.charts{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:0}figcaption{font-size:12px;color:#444}
svg text{font-size:10px;font-family:inherit}
table.confusion td{text-align:right;min-width:48px}
figure.gradcam{max-width:260px}figure.gradcam img{display:block}
pre{font-size:11px;background:#f7f7f7;padding:6px;overflow:auto;max-width:600px}
`

function warningsSection(warnings: string[]): string {
  if (warnings.length === 0) return '<h2>Warnings</h2><p>None.</p>'
  return `<h2>Warnings</h2><div class="warnings"><ul>${warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join('')}</ul></div>`
}

function matrixSection(heading: string, matrix: EvaluationMatrix, colorBy: 'balancedAccuracy' | 'auc', runs: RunRecord[]): string {
  const head = `<tr><th>Model</th><th>Architecture</th><th>Pre-training</th><th>Trained on</th>${matrix.columns
    .map((column) => `<th>${escapeHtml(column.name)}<br><span class="ci">${escapeHtml(column.split)}</span></th>`)
    .join('')}</tr>`
  const body = matrix.rows
    .map((row, r) => {
      const seed = runs.find((run) => run.id === row.runId)?.config.seed
      const cells = matrix.cells[r].map((cell) => cellHtml(cell, colorBy)).join('')
      return `<tr><th>${escapeHtml(row.name)}<br><span class="ci">${escapeHtml(row.runId)}${seed === undefined ? '' : `, seed ${escapeHtml(seed)}`}</span></th><td>${escapeHtml(row.architecture)}</td><td>${escapeHtml(row.pretraining)}</td><td>${escapeHtml(row.trainingCompositionName)}</td>${cells}</tr>`
    })
    .join('\n')
  const legend = `Cells coloured by ${colorBy === 'auc' ? 'AUC' : 'balanced accuracy'}: red at chance (0.5), green at 1. Values with their 95% bootstrap CI (by patient).`
  return `<h2>${escapeHtml(heading)}</h2><p class="meta">${escapeHtml(legend)}</p><table>${head}\n${body}</table>`
}

function cellHtml(cell: MatrixCell, colorBy: 'balancedAccuracy' | 'auc'): string {
  if (!cell.metrics) return '<td class="empty">not evaluated</td>'
  const shade = num(cell.metrics[colorBy]?.value)
  const style = shade === null ? '' : ` style="background:${heatColor(shade)}"`
  const lines = MATRIX_METRICS.filter((metric) => cell.metrics![metric]).map((metric) => {
    const estimate = cell.metrics![metric]
    const ci = estimate.ci ? ` <span class="ci">[${fmt(estimate.ci.lower)}, ${fmt(estimate.ci.upper)}]</span>` : ''
    return `<div>${METRIC_LABELS[metric]} ${fmt(estimate.value)}${ci}</div>`
  })
  return `<td class="cell"${style}>${lines.join('')}<div class="ci">n = ${escapeHtml(cell.n ?? '?')}</div></td>`
}

/** Red (chance, 0.5 or below) through yellow to green (1): balanced accuracy and AUC share the scale. */
function heatColor(value: number): string {
  const t = Math.min(1, Math.max(0, (value - 0.5) / 0.5))
  return `hsl(${Math.round(t * 120)}, 70%, 82%)`
}

function rocSection(input: ReportInput): string {
  const byId = new Map((input.evaluations ?? []).map((evaluation) => [evaluation.id, evaluation]))
  const { matrix } = input
  const charts = matrix.columns
    .map((column, c) => {
      const series = matrix.rows.flatMap((row, r) => {
        const evaluation = byId.get(matrix.cells[r][c].evaluationId ?? '')
        if (!evaluation || evaluation.predictions.length === 0) return []
        const labels = evaluation.predictions.map((p) => p.label)
        if (!labels.includes(0) || !labels.includes(1)) return []
        const points = rocCurve(labels, evaluation.predictions.map((p) => p.score)).map((point) => [point.fpr, point.tpr] as [number, number])
        return [{ name: `${row.name} (AUC ${fmt(matrix.cells[r][c].metrics?.auc?.value ?? null)})`, points }]
      })
      if (series.length === 0) return ''
      return figure(`ROC on ${column.name}`, lineChart(series, { xLabel: 'false-positive rate', yLabel: 'true-positive rate', xRange: [0, 1], yRange: [0, 1], diagonal: true }))
    })
    .filter(Boolean)
  return charts.length ? `<h2>ROC curves</h2><div class="charts">${charts.join('')}</div>` : ''
}

function biasSection(input: ReportInput): string {
  if (!input.bias?.length) return ''
  const parts = input.bias.map((report) => {
    const name = input.runs.find((run) => run.id === report.runId)?.config.name ?? report.runId
    const datasets = [...new Set(report.points.map((point) => point.datasetId))]
    const chart = scatter(report.points.map((point) => ({ x: point.x, y: point.y, group: datasets.indexOf(point.datasetId), filled: point.label === 1 })), datasets)
    const scores = [report.knn, report.probe]
      .map((score) => `${score.method === 'knn-loo' ? 'k-NN (leave-one-out)' : '"which dataset?" probe'}: ${fmt(score.accuracy)} (chance ${fmt(score.chance)}, n = ${score.n})${score.warning ? ' ⚠' : ''}`)
      .join('; ')
    return figure(`t-SNE of ${name}'s encoder features, coloured by dataset (filled = COVID+). ${scores}`, chart)
  })
  return `<h2>Dataset bias (Fig. 3)</h2><div class="charts">${parts.join('')}</div>`
}

function trainingSection(runs: RunRecord[]): string {
  const charts = runs
    .filter((run) => run.history.length > 0)
    .map((run) => {
      const xs = run.history.map((_, index) => index + 1)
      const series = [
        { name: 'train loss', points: run.history.map((epoch, i) => [xs[i], epoch.trainLoss] as [number, number]) },
        { name: 'validation loss', points: run.history.map((epoch, i) => [xs[i], epoch.valLoss] as [number, number]) },
        { name: 'validation AUC', points: run.history.flatMap((epoch, i) => (epoch.valAuc === null ? [] : [[xs[i], epoch.valAuc] as [number, number]])) },
      ].filter((entry) => entry.points.length > 0)
      const phases = [...new Set(run.history.map((epoch) => epoch.phase))].join(' then ')
      return figure(`${run.config.name} (${run.id}): ${phases}, epochs in order`, lineChart(series, { xLabel: 'epoch', yLabel: 'loss / AUC' }))
    })
  return charts.length ? `<h2>Training curves</h2><div class="charts">${charts.join('')}</div>` : ''
}

function provenanceSection(runs: RunRecord[]): string {
  if (runs.length === 0) return ''
  const rows = runs.map((run) => {
    const p = run.provenance
    const cells = [
      `${escapeHtml(run.config.name)}<br><span class="ci">${escapeHtml(run.id)}</span>`,
      escapeHtml(run.state),
      `${escapeHtml(run.config.compositionId)}<br><span class="ci">${escapeHtml(p?.compositionHash ?? 'unknown')}</span>`,
      p ? `${p.images.length} fine-tuning${p.pretrainImages.length ? ` + ${p.pretrainImages.length} pre-training` : ''}` : '?',
      escapeHtml(p?.seed ?? run.config.seed),
      escapeHtml(p?.backend ?? '?'),
      p ? `tfjs ${escapeHtml(p.versions.tfjs)}, node ${escapeHtml(p.versions.node)}` : '?',
      escapeHtml(p?.versions.app ?? '?'),
      p ? `${p.lungMask.applied ? `masked (${escapeHtml(p.lungMask.modelId ?? '?')})` : 'no mask'}, key ${escapeHtml(p.preprocessingKey)}` : '?',
      p?.encoderFromRunId ? escapeHtml(p.encoderFromRunId) : '—',
      `<details><summary>config</summary><pre>${escapeHtml(JSON.stringify(run.config, null, 2))}</pre></details>`,
    ]
    return `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`
  })
  const head = ['Run', 'State', 'Composition (hash)', 'Images', 'Seed', 'Backend', 'Versions', 'Code version', 'Preprocessing', 'Encoder from', 'Configuration']
  return `<h2>Provenance</h2><table><tr>${head.map((label) => `<th>${label}</th>`).join('')}</tr>\n${rows.join('\n')}</table>`
}

function figure(caption: string, svg: string): string {
  return `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`
}

interface ChartOptions {
  xLabel: string
  yLabel: string
  xRange?: [number, number]
  yRange?: [number, number]
  diagonal?: boolean
}

const W = 360
const H = 260
const M = { left: 44, right: 10, top: 10, bottom: 36 }

function lineChart(series: { name: string; points: [number, number][] }[], options: ChartOptions): string {
  const all = series.flatMap((entry) => entry.points)
  const [x0, x1] = options.xRange ?? extent(all.map((point) => point[0]))
  const [y0, y1] = options.yRange ?? extent([0, ...all.map((point) => point[1])])
  const sx = (x: number) => M.left + ((x - x0) / (x1 - x0 || 1)) * (W - M.left - M.right)
  const sy = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom)
  const lines = series.map((entry, index) => {
    const d = entry.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')
    return `<polyline fill="none" stroke="${PALETTE[index % PALETTE.length]}" stroke-width="1.6" points="${d}"/>`
  })
  const diagonal = options.diagonal ? `<line x1="${sx(x0)}" y1="${sy(y0)}" x2="${sx(x1)}" y2="${sy(y1)}" stroke="#aaa" stroke-dasharray="4 3"/>` : ''
  const legend = series.map((entry, index) => legendItem(index, entry.name, PALETTE[index % PALETTE.length], 'line')).join('')
  return svgFrame(`${axes(x0, x1, y0, y1, sx, sy, options)}${diagonal}${lines.join('')}`, legend, series.length)
}

function scatter(points: { x: number; y: number; group: number; filled: boolean }[], groups: string[]): string {
  const [x0, x1] = extent(points.map((point) => point.x))
  const [y0, y1] = extent(points.map((point) => point.y))
  const sx = (x: number) => M.left + ((x - x0) / (x1 - x0 || 1)) * (W - M.left - M.right)
  const sy = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom)
  const dots = points.map((point) => {
    const color = PALETTE[point.group % PALETTE.length]
    return `<circle cx="${sx(point.x).toFixed(1)}" cy="${sy(point.y).toFixed(1)}" r="2.6" stroke="${color}" fill="${point.filled ? color : 'none'}"/>`
  })
  const legend = groups.map((name, index) => legendItem(index, name, PALETTE[index % PALETTE.length], 'dot')).join('')
  return svgFrame(`${axes(x0, x1, y0, y1, sx, sy, { xLabel: 't-SNE 1', yLabel: 't-SNE 2' })}${dots.join('')}`, legend, groups.length)
}

function svgFrame(content: string, legend: string, legendItems: number): string {
  const height = H + legendItems * 14 + 6
  return `<svg width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" role="img"><rect width="${W}" height="${height}" fill="#fff"/>${content}<g transform="translate(${M.left},${H})">${legend}</g></svg>`
}

function legendItem(index: number, name: string, color: string, kind: 'line' | 'dot'): string {
  const y = index * 14 + 8
  const mark = kind === 'line' ? `<line x1="0" x2="16" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2"/>` : `<circle cx="8" cy="${y}" r="3" fill="${color}"/>`
  return `${mark}<text x="22" y="${y + 3}">${escapeHtml(name)}</text>`
}

function axes(x0: number, x1: number, y0: number, y1: number, sx: (x: number) => number, sy: (y: number) => number, options: Pick<ChartOptions, 'xLabel' | 'yLabel'>): string {
  const ticks = (a: number, b: number) => [0, 0.25, 0.5, 0.75, 1].map((t) => a + t * (b - a))
  const xt = ticks(x0, x1).map((x) => `<line x1="${sx(x)}" x2="${sx(x)}" y1="${H - M.bottom}" y2="${H - M.bottom + 4}" stroke="#666"/><text x="${sx(x)}" y="${H - M.bottom + 14}" text-anchor="middle">${tick(x)}</text>`)
  const yt = ticks(y0, y1).map((y) => `<line x1="${M.left - 4}" x2="${M.left}" y1="${sy(y)}" y2="${sy(y)}" stroke="#666"/><text x="${M.left - 6}" y="${sy(y) + 3}" text-anchor="end">${tick(y)}</text>`)
  const frame = `<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#999"/>`
  const labels = `<text x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle">${escapeHtml(options.xLabel)}</text><text transform="translate(11,${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(options.yLabel)}</text>`
  return frame + xt.join('') + yt.join('') + labels
}

function extent(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite)
  if (finite.length === 0) return [0, 1]
  const lo = Math.min(...finite)
  const hi = Math.max(...finite)
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi]
}

function tick(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Number(value.toPrecision(2)).toString()
}

function num(value: JsonSafeNumber | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

/** A stored metric for print: 3 decimals, ∞ for an infinite DOR, — for undefined. */
function fmt(value: JsonSafeNumber | undefined): string {
  if (value === null || value === undefined) return '—'
  if (value === 'Infinity') return '∞'
  if (value === '-Infinity') return '−∞'
  return value.toFixed(3)
}

function findCell(matrix: EvaluationMatrix, runId: string, compositionId: string): MatrixCell | null {
  for (const row of matrix.cells) for (const cell of row) if (cell.runId === runId && cell.compositionId === compositionId) return cell
  return null
}
