import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRandom } from '@shared/metrics/random'
import { LUNG_MODEL_CARD_FORMAT, LUNG_POSTPROCESS_DEFAULTS } from '@shared/lung'
import type { SegmentationExample } from '../../../../src-main/services/lung/training/trainSegmentation'

/**
 * Synthetic "lungs": two bright ellipses at random positions on a noisy dark background, with their masks.
 * Learnable in a few dozen steps by a tiny U-Net, so tests can check that training really learns.
 */
export function syntheticBlobs(count: number, size: number, seed: number): SegmentationExample[] {
  const random = createRandom(seed)
  const examples: SegmentationExample[] = []
  for (let index = 0; index < count; index++) {
    const image = new Float32Array(size * size)
    const mask = new Float32Array(size * size)
    const ellipses = [0.3, 0.7].map((centre) => ({
      cx: (centre + (random() - 0.5) * 0.1) * size,
      cy: (0.5 + (random() - 0.5) * 0.2) * size,
      rx: (0.12 + random() * 0.05) * size,
      ry: (0.25 + random() * 0.08) * size,
    }))
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = ellipses.some((e) => ((x + 0.5 - e.cx) / e.rx) ** 2 + ((y + 0.5 - e.cy) / e.ry) ** 2 <= 1)
        mask[y * size + x] = inside ? 1 : 0
        image[y * size + x] = Math.min(1, Math.max(0, (inside ? 0.7 : 0.25) + (random() - 0.5) * 0.3))
      }
    }
    examples.push({ image: { width: size, height: size, data: image }, mask: { width: size, height: size, data: mask } })
  }
  return examples
}

/** Writes a minimal valid lung model card into a model folder, for tests that load a tiny model. */
export function writeTestCard(folder: string, inputSize: number): void {
  const card = {
    format: LUNG_MODEL_CARD_FORMAT,
    formatVersion: 1,
    name: 'test-unet',
    architecture: { kind: 'U-Net', inputSize, depth: 2, baseFilters: 4, parameters: 1 },
    preprocessing: { resizeMode: 'stretch', equalize: 'global' },
    postprocessing: LUNG_POSTPROCESS_DEFAULTS,
    evaluation: { heldOut: { images: 0, meanDice: null, meanIoU: null, medianDice: null, minDice: null } },
  }
  writeFileSync(join(folder, 'model-card.json'), JSON.stringify(card))
}
