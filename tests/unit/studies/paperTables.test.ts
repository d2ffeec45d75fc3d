import { describe, expect, it } from 'vitest'
import { PAPER_RESULTS, paperResultFor } from '@shared/studies'

// ResNet cells (Tables II–IV); COVID-Net's Table IV rows are checked in tableIVPreset.test.ts.
const find = (table: string, pretraining: string, training: string, test: string) =>
  PAPER_RESULTS.find((row) => row.architecture !== 'covidnet' && row.table === table && row.pretraining === pretraining && row.training === training && row.test === test)!.metrics

describe("the paper's Tables II–IV as data", () => {
  it('has every row: 3 pre-trainings × 5 training sets × 4 test sets for ResNet-18, 2 × 5 × 4 for ResNet-50, and Table IV', () => {
    expect(PAPER_RESULTS.filter((row) => row.table === 'II')).toHaveLength(60)
    expect(PAPER_RESULTS.filter((row) => row.table === 'III')).toHaveLength(40)
    // Table IV: COVID-Net's two rows and ResNet-18's COVID-ChestXRay row (its CORDA row is Table II's).
    expect(PAPER_RESULTS.filter((row) => row.table === 'IV')).toHaveLength(3)
    const keys = PAPER_RESULTS.map((row) => `${row.architecture}/${row.pretraining}/${row.training}/${row.test}`)
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('is transcribed consistently: every balanced accuracy is (sensitivity + specificity) / 2 to the paper’s rounding', () => {
    for (const row of PAPER_RESULTS) {
      const { sensitivity, specificity, balancedAccuracy } = row.metrics
      expect(Math.abs((sensitivity + specificity) / 2 - balancedAccuracy), JSON.stringify(row)).toBeLessThanOrEqual(0.0101)
    }
  })

  it('holds the cells the discussion quotes (Sec. IV-A and IV-C)', () => {
    // "using a pre-trained encoder on RSNA, the specificity is 0.80, while it is only 0.58 with no pre-trained feature extractor"
    expect(find('II', 'RSNA', 'CORDA', 'CORDA').specificity).toBe(0.8)
    expect(find('II', 'none', 'CORDA', 'CORDA').specificity).toBe(0.58)
    // "When we train on CORDA&ChestXRay, the BA ... is 0.9 and the DOR is 122.67 ... CORDA&RSNA ... the BA is 0.56 and the DOR 2.26"
    expect(find('II', 'ChestXRay', 'CORDA&ChestXRay', 'CORDA&ChestXRay')).toMatchObject({ balancedAccuracy: 0.91, diagnosticOddsRatio: 122.67 })
    expect(find('II', 'ChestXRay', 'CORDA&ChestXRay', 'CORDA&RSNA')).toMatchObject({ balancedAccuracy: 0.56, diagnosticOddsRatio: 2.26 })
    // "when we train on CORDA&RSNA: on its test-set the BA is 0.90 and DOR 122.64"
    expect(find('II', 'ChestXRay', 'CORDA&RSNA', 'CORDA&RSNA')).toMatchObject({ balancedAccuracy: 0.9, diagnosticOddsRatio: 122.64 })
    // "using ChestXRay pre-trained encoder and CORDA ... BA 0.56 and DOR 1.64 ... Including also COVID-ChestXRay ... BA to 0.62 and the DOR to 2.93"
    expect(find('II', 'ChestXRay', 'CORDA', 'CORDA')).toMatchObject({ balancedAccuracy: 0.56, diagnosticOddsRatio: 1.64 })
    expect(find('II', 'ChestXRay', 'CORDA&COVID-ChestXRay', 'CORDA&COVID-ChestXRay')).toMatchObject({ balancedAccuracy: 0.62, diagnosticOddsRatio: 2.93 })
    // Table III's first and last rows.
    expect(find('III', 'RSNA', 'CORDA&RSNA', 'CORDA').auc).toBe(0.65)
    expect(find('III', 'ChestXRay', 'CORDA&ChestXRay', 'CORDA&COVID-ChestXRay').diagnosticOddsRatio).toBe(1.71)
    // Table IV: ResNet-18 on COVID-ChestXRay's own 15 test images, perfect; its CORDA row is Table II's ChestXRay row.
    expect(find('IV', 'ChestXRay', 'COVID-ChestXRay', 'COVID-ChestXRay')).toMatchObject({ auc: 1, balancedAccuracy: 1, diagnosticOddsRatio: Number.POSITIVE_INFINITY })
    expect(find('II', 'ChestXRay', 'COVID-ChestXRay', 'CORDA')).toEqual({ sensitivity: 0.91, specificity: 0.2, fScore: 0.79, accuracy: 0.67, balancedAccuracy: 0.56, auc: 0.61, diagnosticOddsRatio: 2.56 })
  })

  it('matches a cell only when the study names the paper’s datasets, with the full preprocessing and a paper network', () => {
    const query = { architecture: 'resnet18' as const, preprocessing: 'full', pretraining: 'ChestXRay' as const, training: 'COVID-ChestXRay' as const, test: 'COVID-ChestXRay' as const }
    expect(paperResultFor(query)?.table).toBe('IV')
    expect(paperResultFor({ ...query, pretraining: 'none' })).toBeNull()
    expect(paperResultFor({ ...query, test: 'CORDA', architecture: 'resnet50' })?.table).toBe('III')
    expect(paperResultFor({ ...query, test: 'CORDA', architecture: 'conv8' })).toBeNull()
    expect(paperResultFor({ ...query, preprocessing: 'raw' })).toBeNull()
    expect(paperResultFor({ ...query, test: null })).toBeNull()
  })
})
