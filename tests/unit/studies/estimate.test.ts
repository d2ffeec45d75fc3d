import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { RunConfigSchema } from '@shared/runs/config'
import { formatBytes, formatDuration, parameterCount, runDiskBytes } from '@shared/studies'
import { buildClassifier, buildEncoder } from '../../../src-main/services/runs/models'

const config = (overrides: Record<string, unknown>) => RunConfigSchema.parse({ compositionId: 'c', ...overrides })

describe('parameterCount', () => {
  it('counts the weights the built classifiers have (tfjs countParams), for every architecture and width', async () => {
    await tf.setBackend('cpu')
    const cases = [
      { architecture: 'conv8', baseWidth: 4, headHidden: [8], input: { resize: 36, crop: 32 } },
      { architecture: 'resnet18', baseWidth: 4, headHidden: [256], input: { resize: 36, crop: 32 } },
      { architecture: 'resnet50', baseWidth: 4, headHidden: [16, 8], input: { resize: 36, crop: 32 } },
      { architecture: 'resnet18', baseWidth: 16, headHidden: [256], input: { resize: 73, crop: 64 } },
    ]
    for (const overrides of cases) {
      const parsed = config(overrides)
      const model = buildClassifier(buildEncoder(parsed), parsed, 1)
      expect(parameterCount(parsed), overrides.architecture).toBe(model.countParams())
      model.dispose()
    }
  })

  it('gives ResNet-18 and ResNet-50 their published sizes at the standard width (torchvision: 11.69 M and 25.56 M with a 1000-class head)', () => {
    // Without head and with one input channel: torchvision's 11,689,512 − 513,000 (fc) − 6,272 (two of three stem input
    // channels, 7·7·64·2) = 11,170,240 trainable, plus the moving mean and variance of its 4,800 batch-norm channels.
    const resnet18 = parameterCount(config({ architecture: 'resnet18', headHidden: [] }), 0)
    expect(resnet18).toBe(11_170_240 + 2 * 4_800)
    const resnet50 = parameterCount(config({ architecture: 'resnet50', headHidden: [] }), 0)
    // torchvision resnet50: 25,557,032 − 2,049,000 (fc) − 6,272 (stem channels) = 23,501,760 trainable, plus the moving
    // statistics of its 26,560 batch-norm channels.
    expect(resnet50).toBe(23_501_760 + 2 * 26_560)
  })

  it('sizes a run on disk from its weights, its optimizer and its pre-training', () => {
    const plain = config({ architecture: 'conv8', baseWidth: 4, headHidden: [8] })
    const bytes = 4 * parameterCount(plain)
    expect(runDiskBytes(plain)).toBe(bytes * 4)
    expect(runDiskBytes({ ...plain, optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999 } })).toBe(bytes * 5)
    expect(runDiskBytes({ ...plain, pretraining: { kind: 'train', datasetIds: ['k'], classes: 'three', labelMap: {}, epochs: 1, validationFraction: 0.1 } })).toBe(bytes * 8)
  })

  it('formats durations and sizes for people', () => {
    expect(formatDuration(40)).toBe('40 s')
    expect(formatDuration(14 * 60)).toBe('14 min')
    expect(formatDuration(125 * 60)).toBe('2 h 05 min')
    expect(formatBytes(340e6)).toBe('340 MB')
    expect(formatBytes(1.23e9)).toBe('1.2 GB')
  })
})
