import { describe, expect, it } from 'vitest'
import { RunConfigSchema } from '@shared/runs/config'
import { batchIndices, epochOrder, stepsPerEpoch } from '../../../src-main/services/runs/random'

describe('RunConfig', () => {
  it('fills the paper defaults', () => {
    const config = RunConfigSchema.parse({ architecture: 'resnet18', compositionId: 'c1' })
    expect(config.input).toEqual({ resize: 256, crop: 224 })
    expect(config.headHidden).toEqual([256])
    expect(config.freezeEncoder).toBe(false)
    expect(config.preprocessing).toBe('full')
    expect(config.pretraining).toEqual({ kind: 'none' })
    expect(config.optimizer).toEqual({ kind: 'sgd', momentum: 0.9 })
    expect(config.loss).toEqual({ kind: 'bce' })
  })

  it('gives each network its own head unless the configuration sets one', () => {
    expect(RunConfigSchema.parse({ architecture: 'conv8', compositionId: 'c1' }).headHidden).toEqual([256])
    // COVID-Net's FC-1024 → FC-256 (Wang et al. 2020, Fig. 2).
    expect(RunConfigSchema.parse({ architecture: 'covidnet', compositionId: 'c1' }).headHidden).toEqual([1024, 256])
    expect(RunConfigSchema.parse({ architecture: 'covidnet', compositionId: 'c1', headHidden: [64] }).headHidden).toEqual([64])
    // A parsed configuration parses to itself (run records are parsed again when read).
    const parsed = RunConfigSchema.parse({ architecture: 'covidnet', compositionId: 'c1' })
    expect(RunConfigSchema.parse(parsed)).toEqual(parsed)
  })

  it('rejects a crop larger than the resize and an unknown architecture', () => {
    expect(RunConfigSchema.safeParse({ architecture: 'resnet18', compositionId: 'c', input: { resize: 200, crop: 224 } }).success).toBe(false)
    expect(RunConfigSchema.safeParse({ architecture: 'vgg16', compositionId: 'c' }).success).toBe(false)
  })

  it('parses focal loss with γ = 2 and a pre-training set', () => {
    const config = RunConfigSchema.parse({
      architecture: 'conv8',
      compositionId: 'c',
      loss: { kind: 'focal' },
      pretraining: { kind: 'train', datasetIds: ['chestxray'], labelMap: { NORMAL: 'normal', BACTERIA: 'bacteria', VIRUS: 'virus' } },
    })
    expect(config.loss).toEqual({ kind: 'focal', gamma: 2 })
    expect(config.pretraining.kind === 'train' && config.pretraining.classes).toBe('three')
  })
})

describe('seeded data order', () => {
  it('is a permutation fixed by (seed, phase, epoch) and differs between epochs', () => {
    const first = epochOrder(50, 7, 'finetune', 0)
    expect([...first].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(epochOrder(50, 7, 'finetune', 0)).toEqual(first)
    expect(epochOrder(50, 7, 'finetune', 1)).not.toEqual(first)
    expect(epochOrder(50, 8, 'finetune', 0)).not.toEqual(first)
  })

  it('drops the last partial batch but keeps a set smaller than a batch', () => {
    expect(stepsPerEpoch(10, 4)).toBe(2)
    expect(stepsPerEpoch(3, 4)).toBe(1)
    expect(batchIndices([5, 4, 3, 2, 1, 0], 1, 2)).toEqual([3, 2])
  })
})
