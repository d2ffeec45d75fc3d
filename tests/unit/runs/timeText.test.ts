import { describe, expect, it } from 'vitest'
import { RunConfigSchema } from '@shared/runs/config'
import type { RunProgress, RunRecord } from '@shared/runs/record'
import { preparationEstimate, progressLine } from '@shared/runs/timeText'

/** A completed run that prepared `images` images in `seconds`, finished at `finishedAt`. */
function finished(preprocessing: 'full' | 'equalize', images: number, seconds: number, finishedAt: string): RunRecord {
  return {
    id: `run-${finishedAt}`,
    config: RunConfigSchema.parse({ architecture: 'resnet18', compositionId: 'c1', preprocessing }),
    state: 'completed',
    progress: null,
    history: [],
    best: null,
    failureReason: null,
    resumable: false,
    provenance: {
      compositionId: 'c1',
      compositionHash: 'h',
      images: Array.from({ length: images }, (_, index) => ({ imageId: `i${index}`, datasetId: 'd', contentHash: `h${index}`, determinism: null })),
      pretrainImages: [],
      encoderFromRunId: null,
      seed: 0,
      backend: 'wasm',
      versions: { app: '0.1.0', tfjs: '4.22.0', node: 'v20' },
      lungMask: { applied: preprocessing === 'full', modelId: null, name: null },
      preprocessingKey: 'k',
      parameters: 1,
      determinism: null,
    } as unknown as RunRecord['provenance'],
    timings: { createdAt: finishedAt, startedAt: finishedAt, finishedAt, prepareSeconds: seconds, trainSeconds: 100, attempts: 1 },
    log: [],
    modelFolder: null,
    inputs: null,
    owner: null,
  }
}

const progress = (overrides: Partial<RunProgress>): RunProgress => ({ phase: 'finetune', epoch: 0, epochs: 4, step: 0, stepsPerEpoch: 20, imagesPerSecond: 0, etaSeconds: null, loss: null, ...overrides })

describe('run time in words', () => {
  it('estimates preparation from the slowest recent run with the same preprocessing (a cached run is faster than a new set)', () => {
    const runs = [
      // The walk-through: 190 s preparing before training; 380 fine-tuning images → 0.5 s per image.
      finished('full', 380, 190, '2026-01-01T10:00:00Z'),
      // The same images again from the cache: 0.02 s per image, which a new composition will not see.
      finished('full', 380, 7.6, '2026-01-02T10:00:00Z'),
      // Another preprocessing does not count.
      finished('equalize', 100, 100, '2026-01-03T10:00:00Z'),
    ]
    const estimate = preparationEstimate(runs, 'full', 200)
    expect(estimate.basis).toBe('measured')
    expect(estimate.secondsPerImage).toBeCloseTo(0.5, 10)
    expect(estimate.seconds).toBeCloseTo(100, 10)
  })

  it('falls back to the benchmark’s typical figure when no run has prepared inputs this way', () => {
    // 65 ms per image for the full chain (src-shared/studies/estimate.ts, from the README's benchmarks).
    const estimate = preparationEstimate([finished('equalize', 100, 50, '2026-01-01T10:00:00Z')], 'full', 1000)
    expect(estimate).toEqual({ seconds: 65, secondsPerImage: 0.065, basis: 'typical' })
  })

  it('says how far preparation got, with a rate and the time left once it has been timed, never “0.0 images/s”', () => {
    const start = { at: 1_000_000, done: 40 }
    expect(progressLine(progress({ phase: 'preparing', step: 41, stepsPerEpoch: 400 }), start, 1_001_000)).toBe('Preparing the inputs: 41 of 400 images · timing the first images…')
    // 60 images in 20 s → 3 images/s; 300 left → 100 s, said as 2 min.
    expect(progressLine(progress({ phase: 'preparing', step: 100, stepsPerEpoch: 400 }), start, 1_020_000)).toBe(
      'Preparing the inputs: 100 of 400 images · 3.0 images/s · about 2 min left, then training',
    )
    expect(progressLine(progress({ phase: 'preparing', step: 100, stepsPerEpoch: 400 }), null, 1_020_000)).toMatch(/timing the first images/)
  })

  it('names the training phase in words', () => {
    expect(progressLine(progress({ phase: 'pretrain', epoch: 1, step: 5, imagesPerSecond: 12.34, etaSeconds: 300 }), null, 0)).toBe(
      'Pre-training epoch 2 of 4 · step 5 of 20 · 12.3 images/s · about 5 min left',
    )
    expect(progressLine(progress({ step: 1 }), null, 0)).toBe('Training epoch 1 of 4 · step 1 of 20 · timing the first steps…')
  })
})
