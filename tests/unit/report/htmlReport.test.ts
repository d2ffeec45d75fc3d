import { describe, expect, it } from 'vitest'
import type { BiasReport, EvaluationMatrix, EvaluationRecord, MatrixCell } from '@shared/evaluation/types'
import { RunConfigSchema } from '@shared/runs/config'
import type { RunRecord } from '@shared/runs/record'
import { escapeHtml, renderReport, reportWarnings, type ReportInput } from '../../../src-main/services/report/htmlReport'
import { parseReportArgs } from '../../../src-main/cli/commands/report'
import type { GradCamFigures } from '../../../src-main/services/report/gradCamSection'

const HOSTILE = '<script>alert(1)</script>'

const estimate = (value: number, lower: number, upper: number) => ({ value, ci: { lower, upper, validReplicates: 100 } })
function cell(runId: string, compositionId: string, n: number, auc: [number, number, number], ba: [number, number, number]): MatrixCell {
  return {
    runId,
    compositionId,
    evaluationId: `ev-${runId}-${compositionId}`,
    n,
    metrics: { auc: estimate(...auc), balancedAccuracy: estimate(...ba), sensitivity: estimate(0.812, 0.701, 0.9), diagnosticOddsRatio: { value: 'Infinity' } },
  }
}

const matrix: EvaluationMatrix = {
  split: 'test',
  variant: 'standard',
  rows: [
    { runId: 'run-a', name: 'resnet18 CORDA', architecture: 'resnet18', pretraining: 'ChestXRay', trainingCompositionId: 'c1', trainingCompositionName: 'CORDA' },
    { runId: 'run-b', name: 'conv8 mix', architecture: 'conv8', pretraining: 'none', trainingCompositionId: 'c2', trainingCompositionName: HOSTILE },
  ],
  columns: [
    { compositionId: 'c1', name: 'CORDA', split: 'test' },
    { compositionId: 'c2', name: HOSTILE, split: 'test' },
  ],
  cells: [
    [cell('run-a', 'c1', 400, [0.913, 0.884, 0.941], [0.852, 0.817, 0.886]), cell('run-a', 'c2', 20, [0.644, 0.402, 0.851], [0.55, 0.35, 0.75])],
    [cell('run-b', 'c1', 400, [0.701, 0.66, 0.74], [0.62, 0.58, 0.66]), { runId: 'run-b', compositionId: 'c2', evaluationId: null, n: null, metrics: null }],
  ],
}
const lungsRemoved: EvaluationMatrix = {
  ...matrix,
  variant: 'lungs-removed',
  cells: [[cell('run-a', 'c1', 400, [0.887, 0.85, 0.92], [0.8, 0.76, 0.84]), { ...matrix.cells[0][1], evaluationId: null, n: null, metrics: null }], matrix.cells[1]],
}

function run(id: string, name: string): RunRecord {
  const config = RunConfigSchema.parse({ name, architecture: 'conv8', compositionId: 'c1', input: { resize: 36, crop: 32 }, preprocessing: 'equalize', epochs: 2, seed: 7 })
  return {
    id,
    config,
    state: 'completed',
    progress: null,
    history: [
      { phase: 'finetune', epoch: 0, trainLoss: 0.7, trainPenalty: 0, valLoss: 0.69, valAuc: 0.6, learningRate: 0.01, seconds: 1 },
      { phase: 'finetune', epoch: 1, trainLoss: 0.4, trainPenalty: 0, valLoss: 0.5, valAuc: 0.8, learningRate: 0.01, seconds: 1 },
    ],
    best: null,
    failureReason: null,
    resumable: false,
    provenance: {
      compositionId: 'c1',
      compositionHash: 'hash-0123456789abcdef',
      images: [{ imageId: 'i1', datasetId: HOSTILE, contentHash: 'x', split: 'train', label: 1 }],
      pretrainImages: [],
      encoderFromRunId: null,
      seed: 7,
      backend: 'wasm',
      versions: { app: '0.1.0', tfjs: '4.22.0', node: 'v20.19.0' },
      lungMask: { applied: false, modelId: null, name: null },
      preprocessingKey: 'key-abc',
      parameters: 1234,
      determinism: { level: 'bit-exact', backend: 'wasm', threads: 1, note: 'repeatable' },
      trainedOn: null,
    },
    timings: { createdAt: '2024-01-01T00:00:00Z', startedAt: null, finishedAt: null, prepareSeconds: 0, trainSeconds: 0, attempts: 1 },
    log: [],
    modelFolder: '/tmp/model',
    inputs: null,
    owner: null,
  }
}

const evaluation: EvaluationRecord = {
  id: 'ev-run-a-c1',
  runId: 'run-a',
  compositionId: 'c1',
  split: 'test',
  variant: 'standard',
  createdAt: '2024-01-02T00:00:00Z',
  options: { threshold: 0.5, haldane: false, replicates: 100, seed: 1 },
  predictions: [0.9, 0.8, 0.3, 0.6, 0.1].map((score, index) => ({ imageId: `i${index}`, datasetId: 'd', patientId: `p${index}`, contentHash: 'h', label: index < 2 || index === 3 ? 1 : 0, score }) as const),
  metrics: { threshold: 0.5, counts: { n: 5, positives: 3, negatives: 2, patients: 5, patientIdsProvided: true }, confusion: { tp: 3, fp: 0, tn: 2, fn: 0 }, metrics: {} },
  notes: [],
}

// run-b on CORDA: counts that tell the four cells apart (7 TP, 3 FN, 11 FP, 19 TN), with predictions to match.
const evaluationB: EvaluationRecord = {
  ...evaluation,
  id: 'ev-run-b-c1',
  runId: 'run-b',
  options: { ...evaluation.options, threshold: 0.35 },
  predictions: [...Array(40).keys()].map((index) => ({ imageId: `b${index}`, datasetId: 'd', patientId: `p${index}`, contentHash: 'h', label: index < 10 ? 1 : 0, score: index < 7 || (index >= 10 && index < 21) ? 0.9 : 0.1 }) as const),
  metrics: { threshold: 0.35, counts: { n: 40, positives: 10, negatives: 30, patients: 40, patientIdsProvided: true }, confusion: { tp: 7, fp: 11, tn: 19, fn: 3 }, metrics: {} },
}

/** A 1×1 PNG as the collector would inline it; its bytes do not matter to the renderer. */
const PICTURE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=='
const gradCam: GradCamFigures = {
  examples: [
    { runId: 'run-a', runName: 'resnet18 CORDA', testSetName: 'CORDA', kind: 'true positive', label: 1, probability: 0.9731, insideLungShare: 0.42, datasetName: HOSTILE, imageId: 'i0', picture: PICTURE, width: 2000, height: 2500 },
    { runId: 'run-a', runName: 'resnet18 CORDA', testSetName: 'CORDA', kind: 'false negative', label: 1, probability: 0.2049, insideLungShare: null, shareUnknown: 'no-evidence', datasetName: 'CORDA', imageId: 'i9', picture: PICTURE, width: 40, height: 40 },
    // Anything but an inline PNG must never reach an src.
    { runId: 'run-b', runName: HOSTILE, testSetName: 'CORDA', kind: 'false positive', label: 0, probability: 0.8, insideLungShare: null, datasetName: 'CORDA', imageId: 'x', picture: 'https://example.org/a.png', width: 40, height: 40 },
  ],
  runsShown: 2,
  runsWithEvaluations: 9,
  problems: ['Grad-CAM example of conv8 mix (false positive, image b10 of CORDA) left out: could not read /gone/b10.png'],
}

const bias: BiasReport = {
  runId: 'run-a',
  points: [
    { x: 0, y: 1, imageId: 'i1', datasetId: 'CORDA', label: 1 },
    { x: 2, y: 3, imageId: 'i2', datasetId: HOSTILE, label: 0 },
  ],
  knn: { method: 'knn-loo', accuracy: 0.7, chance: 0.5, n: 2, classes: ['CORDA', HOSTILE], warning: false, folds: null },
  probe: { method: 'logistic-cv', accuracy: 0.97, chance: 0.55, n: 2, classes: ['CORDA', HOSTILE], warning: true, folds: 5 },
}

const input: ReportInput = {
  generatedAt: '2024-01-03T00:00:00Z',
  appVersion: '0.1.0',
  matrix,
  lungsRemoved,
  evaluations: [evaluation, evaluationB],
  runs: [run('run-a', 'resnet18 CORDA'), run('run-b', 'conv8 mix')],
  bias: [bias],
  gradCam,
}
/** The report without its inline pictures: base64 may spell anything, so "no reference out" is checked on the rest. */
const withoutPictures = (html: string) => html.replace(/data:image\/png;base64,[A-Za-z0-9+/]+=*/g, '')

describe('renderReport', () => {
  const html = renderReport(input)

  it("prints every cell's numbers with their CIs, and marks the empty cell", () => {
    for (const text of ['0.913', '[0.884, 0.941]', '0.852', '[0.817, 0.886]', '0.644', '[0.402, 0.851]', '0.701', '[0.660, 0.740]', '[0.701, 0.900]', '∞', 'n = 400', 'n = 20', 'not evaluated']) {
      expect(html).toContain(text)
    }
    expect(html).toMatch(/style="background:hsl\(\d+, 70%, 82%\)"/)
  })

  it('warns about the dataset probe, the lungs-removed AUC and the tiny test set', () => {
    const warnings = reportWarnings(input)
    expect(warnings.some((w) => w.includes('"which dataset?" probe') && w.includes('0.970') && w.includes('0.550'))).toBe(true)
    expect(warnings.some((w) => w.includes('lungs removed') && w.includes('0.887'))).toBe(true)
    expect(warnings.some((w) => w.includes('only 20 test images'))).toBe(true)
    expect(warnings.some((w) => w.includes('CI of AUC is wide'))).toBe(true)
    for (const warning of warnings) expect(html).toContain(escapeHtml(warning))
  })

  it('escapes hostile names and stays self-contained', () => {
    expect(html).not.toContain(HOSTILE)
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).not.toMatch(/<script/i)
    expect(withoutPictures(html)).not.toMatch(/http/i)
    expect(html).not.toMatch(/<link|@import|url\(/i)
    expect([...html.matchAll(/ src="([^"]*)"/g)].map((match) => match[1])).toEqual([PICTURE, PICTURE])
  })

  it("prints each evaluated cell's confusion matrix from its stored counts, with the threshold and n", () => {
    const section = html.slice(html.indexOf('<h2>Confusion matrices</h2>'), html.indexOf('<h2>ROC curves</h2>'))
    expect(section).toContain('<h3>Test set CORDA</h3>')
    const tables = [...section.matchAll(/<table class="confusion">(.*?)<\/table><figcaption>(.*?)<\/figcaption>/g)].map((match) => [match[1].match(/<td>\d+<\/td>/g)?.join(''), match[2]])
    expect(tables).toEqual([
      ['<td>3</td><td>0</td><td>0</td><td>2</td>', 'resnet18 CORDA on CORDA: threshold 0.5, n = 5'],
      ['<td>7</td><td>3</td><td>11</td><td>19</td>', 'conv8 mix on CORDA: threshold 0.35, n = 40'],
    ])
    expect(section).toContain('<tr><th></th><th>predicted COVID+</th><th>predicted COVID−</th></tr><tr><th>true COVID+</th><td>7</td><td>3</td></tr><tr><th>true COVID−</th><td>11</td><td>19</td></tr>')
    // No record for run-a on the second test set: no table for it.
    expect(section).not.toContain('Test set &lt;script')
    expect(reportWarnings(input).some((warning) => warning.includes('confusion matrix'))).toBe(false)
  })

  it('warns when stored counts do not add up to the images scored', () => {
    const damaged = { ...evaluationB, metrics: { ...evaluationB.metrics, confusion: { tp: 7, fp: 11, tn: 18, fn: 3 } } }
    const warnings = reportWarnings({ ...input, evaluations: [evaluation, damaged] })
    expect(warnings).toContain('conv8 mix on CORDA: the confusion matrix counts 39 images but the evaluation scored 40; its stored record looks damaged, evaluate it again.')
  })

  it('shows the Grad-CAM examples as inline PNGs with escaped captions, says when capped, and lists what was left out', () => {
    const section = html.slice(html.indexOf('<h2>Grad-CAM examples</h2>'), html.indexOf('<h2>Training curves</h2>'))
    expect(section).toContain('<h3>resnet18 CORDA on CORDA</h3>')
    expect(section).toContain('Only the first 2 of the 9 evaluated models are shown')
    expect(section.match(/<img src="data:image\/png;base64,/g)).toHaveLength(2)
    // Shown at one size whatever the radiograph's, its aspect ratio kept.
    expect([...section.matchAll(/ width="(\d+)" height="(\d+)"/g)].map((match) => [Number(match[1]), Number(match[2])])).toEqual([[205, 256], [256, 256]])
    expect(section).toContain('alt="Grad-CAM heatmap of resnet18 CORDA over a COVID+ radiograph from &lt;script&gt;alert(1)&lt;/script&gt; (true positive)"')
    expect(section).toContain('True positive: COVID+, model probability of COVID+ 0.973; 42 % of the saliency inside the lungs; dataset &lt;script&gt;alert(1)&lt;/script&gt;')
    // An empty map has no share inside the lungs, and the caption says so rather than blaming the lung model.
    expect(section).toContain('False negative: COVID+, model probability of COVID+ 0.205; no COVID+ evidence anywhere in the image (the map is empty); dataset CORDA')
    expect(section).toContain('<h3>&lt;script&gt;alert(1)&lt;/script&gt; on CORDA</h3>')
    expect(section).not.toContain('example.org')
    expect(reportWarnings(input)).toContain(gradCam.problems[0])
    expect(renderReport({ ...input, gradCam: null })).not.toContain('Grad-CAM')
    expect(renderReport({ ...input, gradCam: { examples: [], runsShown: 0, runsWithEvaluations: 0, problems: [] } })).toContain('No model has been evaluated on these test sets yet')
    expect(renderReport({ ...input, gradCam: { ...gradCam, examples: [] } })).toContain('No example could be made; see the warnings.')
  })

  it('draws the ROC, t-SNE and training charts as inline SVG, and the provenance', () => {
    expect(html.match(/<svg /g)?.length).toBe(1 + 1 + 2)
    expect(html).toContain('ROC on CORDA')
    expect(html).toContain('<polyline')
    expect(html).toContain('<circle')
    for (const text of ['hash-0123456789abcdef', 'wasm', 'tfjs 4.22.0', 'key-abc', '1 fine-tuning']) expect(html).toContain(text)
  })
})

describe('cxr report arguments', () => {
  it('takes several ids after --runs and --compositions', () => {
    expect(parseReportArgs(['--out', 'r.html', '--runs', 'a', 'b', '--compositions=c1,c2', '--color-by', 'auc'])).toMatchObject({ out: 'r.html', runs: ['a', 'b'], compositions: ['c1', 'c2'], colorBy: 'auc' })
    expect(() => parseReportArgs(['--runs'])).toThrow(/at least one id/)
    expect(() => parseReportArgs(['--nope'])).toThrow(/unknown/)
  })

  it('asks for the slow figures one by one or together, and for none by default', () => {
    expect(parseReportArgs(['--out', 'r.html'])).toMatchObject({ bias: false, gradCam: false })
    expect(parseReportArgs(['--out', 'r.html', '--grad-cam'])).toMatchObject({ bias: false, gradCam: true })
    expect(parseReportArgs(['--out', 'r.html', '--bias'])).toMatchObject({ bias: true, gradCam: false })
    expect(parseReportArgs(['--out', 'r.html', '--figures'])).toMatchObject({ bias: true, gradCam: true })
  })
})
