import type { RunConfig } from '@shared/runs/config'
import { mulberry32 } from '@shared/metrics/random'
import { mixSeed } from './random'

/**
 * Augments a batch of square single-channel images in place of a copy: horizontal flip and a small affine
 * (rotation, translation, scale) with bilinear sampling and zero fill (the masked-out background). Plain
 * JavaScript on the Float32 batch, so it is the same on every backend; seeded per (seed, phase, epoch, step).
 */
export function augmentBatch(
  batch: Float32Array,
  count: number,
  size: number,
  augmentation: RunConfig['augmentation'],
  seedParts: (number | string)[],
): Float32Array {
  const { horizontalFlip, affine } = augmentation
  if (!horizontalFlip && !affine) return batch
  const random = mulberry32(mixSeed(...seedParts, 'augment'))
  const out = new Float32Array(batch.length)
  const area = size * size
  const centre = (size - 1) / 2
  for (let image = 0; image < count; image++) {
    const flip = horizontalFlip && random() < 0.5
    const angle = affine ? ((random() * 2 - 1) * affine.rotateDegrees * Math.PI) / 180 : 0
    const scale = affine ? 1 + (random() * 2 - 1) * affine.scale : 1
    const shiftX = affine ? (random() * 2 - 1) * affine.translate * size : 0
    const shiftY = affine ? (random() * 2 - 1) * affine.translate * size : 0
    // Inverse mapping: for each output pixel, where it comes from in the source.
    const cos = Math.cos(angle) / scale
    const sin = Math.sin(angle) / scale
    const source = batch.subarray(image * area, (image + 1) * area)
    const target = out.subarray(image * area, (image + 1) * area)
    for (let row = 0; row < size; row++) {
      for (let column = 0; column < size; column++) {
        const dx = (flip ? size - 1 - column : column) - centre - shiftX
        const dy = row - centre - shiftY
        const x = cos * dx + sin * dy + centre
        const y = -sin * dx + cos * dy + centre
        target[row * size + column] = sampleBilinear(source, size, x, y)
      }
    }
  }
  return out
}

function sampleBilinear(image: Float32Array, size: number, x: number, y: number): number {
  const x0 = Math.floor(x)
  const y0 = Math.floor(y)
  const fx = x - x0
  const fy = y - y0
  const at = (column: number, row: number) => (column < 0 || row < 0 || column >= size || row >= size ? 0 : image[row * size + column])
  return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy
}
