import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RunConfigSchema } from '@shared/runs/config'
import { TABLE_IV, tableIVRunConfigs } from '@shared/runs/tableIV'
import { SHARED_DATA } from '../../helpers/sharedData'
import { skipWithReason } from '../../helpers/skip'

/** The paper's text, beside the shared data (`../shared/paper`). */
const PAPER = resolve(SHARED_DATA, '..', 'paper', 'unveiling-covid19-from-cxr.txt')
const NAMES = { covidnet: 'COVID-Net', resnet18: 'ResNet-18' } as const

describe("the paper's Table IV", () => {
  it('is transcribed as printed in the paper', (context) => {
    if (!existsSync(PAPER)) return skipWithReason(context, `the paper's text is not at ${PAPER}`)
    const printed = readFileSync(PAPER, 'utf8')
    const table = printed.slice(printed.indexOf('TABLE IV'), printed.indexOf('TABLE IV') + 800)
    for (const { architecture, testSet, metrics } of TABLE_IV) {
      const { sensitivity, specificity, fScore, accuracy, balancedAccuracy, auc, diagnosticOddsRatio } = metrics
      const cells = [sensitivity, specificity, fScore, accuracy, balancedAccuracy, auc].map((value) => value.toFixed(2))
      cells.push(Number.isFinite(diagnosticOddsRatio) ? diagnosticOddsRatio.toFixed(2) : '∞')
      expect(table).toContain([NAMES[architecture], testSet, ...cells].join('\t'))
    }
  })

  it('is consistent with itself: BA is the mean of sensitivity and specificity, DOR follows from both', () => {
    for (const { architecture, testSet, metrics } of TABLE_IV) {
      const { sensitivity: se, specificity: sp } = metrics
      expect(Math.abs(metrics.balancedAccuracy - (se + sp) / 2), `${architecture} on ${testSet}`).toBeLessThanOrEqual(0.01)
      // DOR = (Se / (1 − Se)) / ((1 − Sp) / Sp); from two-decimal Se and Sp, so within 5%.
      const dor = se === 1 || sp === 1 ? Number.POSITIVE_INFINITY : se / (1 - se) / ((1 - sp) / sp)
      if (Number.isFinite(dor)) expect(Math.abs(dor / metrics.diagnosticOddsRatio - 1), `${architecture} on ${testSet}`).toBeLessThan(0.05)
      else expect(metrics.diagnosticOddsRatio).toBe(Number.POSITIVE_INFINITY)
    }
  })

  it('gives two run configurations that differ only in the network', () => {
    const configs = tableIVRunConfigs({ compositionId: 'covid-chestxray-composition', chestXRayDatasetId: 'kermany', seed: 3 })
    const covidNet = RunConfigSchema.parse(configs.covidnet)
    const resNet = RunConfigSchema.parse(configs.resnet18)
    expect(covidNet.architecture).toBe('covidnet')
    expect(covidNet.headHidden).toEqual([1024, 256])
    expect(resNet.headHidden).toEqual([256])
    expect(resNet.pretraining).toEqual({
      kind: 'train',
      datasetIds: ['kermany'],
      classes: 'three',
      labelMap: { normal: 'normal', bacteria: 'bacteria', virus: 'virus' },
      epochs: 5,
      validationFraction: 0.1,
    })
    const rest = (config: typeof covidNet) => ({ ...config, name: '', architecture: '', headHidden: [] })
    expect(rest(covidNet)).toEqual(rest(resNet))
    expect(covidNet).toMatchObject({ compositionId: 'covid-chestxray-composition', seed: 3, input: { resize: 256, crop: 224 }, batchSize: 16 })
  })
})
