import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import sharp from 'sharp'
import type { Composition } from '@shared/datasets/types'
import type { RunsLibrary } from '../../../../src-main/services/runs/dataPlan'
import { sourceWorkerEntry, type WorkerEntry } from '../../../../src-main/services/workers/host'

/** The job worker from TypeScript sources, through tsx. */
export function tsWorkerEntry(): WorkerEntry {
  return sourceWorkerEntry()
}

/** One synthetic radiograph on disk with its library identity. */
export interface FixtureImage {
  imageId: string
  path: string
  contentHash: string
  positive: boolean
  split: 'train' | 'validation' | 'test'
}

/**
 * Writes `count` 40×40 greyscale PNGs: COVID+ ones have a bright blob on the left, COVID− on the right (a
 * separable toy task), alternating labels; the last two of every eight go to validation, one to test.
 */
export async function writeFixtureImages(folder: string, count: number, options: { oneClass?: boolean } = {}): Promise<FixtureImage[]> {
  mkdirSync(folder, { recursive: true })
  const images: FixtureImage[] = []
  for (let index = 0; index < count; index++) {
    const positive = options.oneClass ? true : index % 2 === 0
    const size = 40
    const pixels = Buffer.alloc(size * size)
    const cx = positive ? 12 : 28
    const cy = 14 + (index % 5) * 3
    for (let row = 0; row < size; row++) {
      for (let column = 0; column < size; column++) {
        const d2 = (row - cy) ** 2 + (column - cx) ** 2
        pixels[row * size + column] = Math.round(40 + 200 * Math.exp(-d2 / 50) + ((index * 31 + row * 7 + column * 13) % 17))
      }
    }
    const path = join(folder, `image-${index}.png`)
    await sharp(pixels, { raw: { width: size, height: size, channels: 1 } }).png().toFile(path)
    const slot = index % 8
    images.push({
      imageId: `image-${index}`,
      path,
      contentHash: createHash('sha256').update(pixels).digest('hex'),
      positive,
      split: slot === 7 ? 'test' : slot >= 5 ? 'validation' : 'train',
    })
  }
  return images
}

/** A library that knows one dataset and one composition: the two calls a run makes. */
export function fakeLibrary(images: FixtureImage[], compositionId = 'comp-1'): RunsLibrary {
  const composition = {
    spec: { name: 'synthetic', primary: ['synthetic'], borrow: [], balance: 'none', testFraction: 0.3, validationFraction: 0.2, seed: 0, labelMapping: {} },
    seed: 0,
    algorithm: 'test',
    assignments: images.map((image) => ({
      imageId: image.imageId,
      datasetId: 'synthetic',
      patientId: image.imageId,
      contentHash: image.contentHash,
      label: image.positive ? 'COVID-19' : 'normal',
      binaryLabel: image.positive ? 'positive' : 'negative',
      split: image.split,
      source: 'primary',
    })),
    excluded: [],
    counts: { datasetIds: [], rows: [], total: { split: 'total', byDataset: {}, total: { positive: 0, negative: 0 } } },
    warnings: [],
  } as unknown as Composition
  return {
    async loadComposition({ compositionId: id }) {
      if (id !== compositionId) throw new Error(`no composition ${id}`)
      return composition
    },
    async listImages({ datasetId, offset = 0 }) {
      const page = datasetId === 'synthetic' ? images.slice(offset) : []
      return {
        total: datasetId === 'synthetic' ? images.length : 0,
        offset,
        images: page.map((image) => ({ imageId: image.imageId, datasetId, patientId: image.imageId, label: '', contentHash: image.contentHash, path: image.path, format: 'png', byteSize: 0, width: 40, height: 40, maskCount: 0, attributes: {} })),
      } as Awaited<ReturnType<RunsLibrary['listImages']>>
    },
    async imageRecords() {
      return []
    },
  }
}

/** A tiny run configuration over the fixture composition: Conv8 of width 4 at 32 px, 2 epochs. */
export function tinyRunConfig(overrides: Record<string, unknown> = {}) {
  return {
    name: 'tiny',
    architecture: 'conv8' as const,
    baseWidth: 4,
    compositionId: 'comp-1',
    input: { resize: 36, crop: 32 },
    preprocessing: 'equalize' as const,
    headHidden: [8],
    optimizer: { kind: 'adam' as const },
    learningRate: 0.01,
    batchSize: 4,
    epochs: 2,
    seed: 11,
    ...overrides,
  }
}
