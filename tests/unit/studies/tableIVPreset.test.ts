import { describe, expect, it } from 'vitest'
import { TABLE_IV } from '@shared/runs/tableIV'
import { buildStudyTable, expandStudy, PAPER_RESULTS, paperResultFor, PRESET_TRAINING, STUDY_FORMAT, StudySpecSchema, tableIVStudy, type ExpansionContext, type StudyRecord } from '@shared/studies'

/*
 * The Table IV preset: which runs it makes, which test sets it scores them on, and which of the paper's Table IV
 * figures (Tartaglione et al. 2020, arXiv:2004.05405, Table IV) show beside its cells.
 */

const names: Record<string, string> = { covid: 'COVID-ChestXRay', corda: 'CORDA', 'ext-ap': 'COVID-ChestXRay AP (other patients)', 'ext-kermany': 'Kermany test' }
const context: ExpansionContext = { compositionName: (id) => names[id], isTestOnly: (id) => id.startsWith('ext-'), datasetName: (id) => (id === 'kermany-train' ? 'ChestXRay' : undefined) }
const roles = { covidChestXRay: 'covid', pretrainDataset: 'kermany-train', externalTestSets: ['ext-ap', 'ext-kermany', 'corda'], paperNames: { corda: 'CORDA' as const } }

/** The study record as the study service starts it: expanded, nothing run yet. */
function record(size: 'reduced' | 'full'): StudyRecord {
  const spec = StudySpecSchema.parse(tableIVStudy(roles, size))
  return { format: STUDY_FORMAT, version: 1, id: 'study-iv', spec, state: 'running', createdAt: '2026-12-07T00:00:00.000Z', finishedAt: null, ...expandStudy(spec, context), datasetProbe: false, evaluations: [], probes: [], problems: [], estimate: null, log: [] }
}

describe('the Table IV preset study', () => {
  it('trains COVID-Net and ResNet-18, pre-trained on ChestXRay, on COVID-ChestXRay with three seeds each', () => {
    const { cells, slots } = record('reduced')
    expect(cells.map((cell) => cell.label)).toEqual(['COVID-Net, pre-trained on ChestXRay, trained on COVID-ChestXRay', 'ResNet-18, pre-trained on ChestXRay, trained on COVID-ChestXRay'])
    expect(cells.map((cell) => [cell.paperPretraining, cell.paperComposition])).toEqual([
      ['ChestXRay', 'COVID-ChestXRay'],
      ['ChestXRay', 'COVID-ChestXRay'],
    ])
    expect(slots.map((slot) => `${slot.config.architecture}/${slot.seed}`)).toEqual(['covidnet/1', 'resnet18/1', 'covidnet/2', 'resnet18/2', 'covidnet/3', 'resnet18/3'])
    for (const slot of slots) {
      // Both networks pre-train on Kermany's three classes as they are labelled, then fine-tune with the same settings.
      expect(slot.config.pretraining).toMatchObject({ kind: 'train', datasetIds: ['kermany-train'], classes: 'three', labelMap: { normal: 'normal', bacteria: 'bacteria', virus: 'virus' }, epochs: PRESET_TRAINING.reduced.pretrainEpochs })
      expect(slot.config).toMatchObject({ compositionId: 'covid', preprocessing: 'full', baseWidth: 16, input: { crop: 64 }, epochs: 12 })
    }
  })

  it('tests on the training composition’s test split and every chosen test set, naming the ones that are Table I’s', () => {
    expect(record('reduced').testSets).toEqual([
      { compositionId: 'covid', name: 'COVID-ChestXRay', testOnly: false, trainedOn: true, paper: 'COVID-ChestXRay' },
      { compositionId: 'ext-ap', name: 'COVID-ChestXRay AP (other patients)', testOnly: true, trainedOn: false, paper: null },
      { compositionId: 'ext-kermany', name: 'Kermany test', testOnly: true, trainedOn: false, paper: null },
      { compositionId: 'corda', name: 'CORDA', testOnly: false, trainedOn: false, paper: 'CORDA' },
    ])
    // The training composition among the chosen ones is not listed twice (its test split is a test set already).
    expect(tableIVStudy({ ...roles, externalTestSets: ['covid', 'ext-ap'] }, 'full').testSets).toEqual([{ compositionId: 'ext-ap' }])
  })

  it('uses the published widths at 224 px at full size, and a third of COVID-Net’s width at reduced size', () => {
    const full = StudySpecSchema.parse(tableIVStudy(roles, 'full'))
    expect(full.training.baseWidth).toBeUndefined()
    expect(full.training.input).toMatchObject({ resize: 256, crop: 224 })
    expect(full.name).toBe('Table IV: COVID-Net vs ResNet-18 (full)')
    expect(tableIVStudy(roles, 'reduced').description).toContain('a third of its published width')
  })
})

describe('the paper’s Table IV beside the preset’s cells', () => {
  it('holds COVID-Net’s two rows as Table IV prints them (BA 0.85 / DOR 36.0 within, BA 0.55 on CORDA)', () => {
    const covidNet = PAPER_RESULTS.filter((row) => row.architecture === 'covidnet')
    expect(covidNet.map((row) => row.test)).toEqual(['CORDA', 'COVID-ChestXRay'])
    expect(covidNet.every((row) => row.table === 'IV' && row.training === 'COVID-ChestXRay' && row.pretraining === 'ChestXRay')).toBe(true)
    expect(covidNet[1].metrics).toMatchObject({ balancedAccuracy: 0.85, diagnosticOddsRatio: 36 })
    expect(covidNet[0].metrics).toEqual({ sensitivity: 0.12, specificity: 0.98, fScore: 0.22, accuracy: 0.41, balancedAccuracy: 0.55, auc: 0.55, diagnosticOddsRatio: 6.68 })
    // Every row of TABLE_IV is found, with its own figures, whichever table holds it (ResNet-18 on CORDA: Table II).
    for (const row of TABLE_IV) {
      const found = paperResultFor({ architecture: row.architecture, preprocessing: 'full', pretraining: 'ChestXRay', training: 'COVID-ChestXRay', test: row.testSet })
      expect(found?.metrics, `${row.architecture} on ${row.testSet}`).toEqual(row.metrics)
    }
  })

  it('shows them in the study table: COVID-Net and ResNet-18 on COVID-ChestXRay and CORDA, nothing on the sets the paper lacks', () => {
    const { cells } = buildStudyTable(record('reduced'), () => undefined)
    const paper = cells.map((row) => row.map((cell) => (cell.paper ? `${cell.paper.table}:${cell.paper.metrics.balancedAccuracy}` : null)))
    // Rows: COVID-Net, ResNet-18; columns: COVID-ChestXRay, the AP views, Kermany's test split, CORDA.
    expect(paper).toEqual([
      ['IV:0.85', null, null, 'IV:0.55'],
      ['IV:1', null, null, 'II:0.56'],
    ])
  })
})
