import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import type { Composition } from '@shared/datasets/types'
import type { StudySpecInput } from '@shared/studies'
import type { RunsLibrary } from '../../../src-main/services/runs/dataPlan'
import { createEvaluationService } from '../../../src-main/services/evaluation'
import { createJobLauncher } from '../../../src-main/services/workers/launcher'
import { createRunsService, type RunsServiceImpl } from '../../../src-main/services/runs'
import { createStudyService } from '../../../src-main/services/studies/studyService'
import { tsWorkerEntry, writeFixtureImages, type FixtureImage } from '../runs/support/fixtures'

/** A composition of fixture images from one dataset; `testOnly` puts every image in test (an external set). */
function compositionOf(name: string, datasetId: string, images: FixtureImage[], testOnly: boolean): Composition {
  return {
    spec: { name, primary: [datasetId], borrow: [], balance: 'none', testFraction: testOnly ? 1 : 0.3, validationFraction: 0.2, seed: 0, labelMapping: { [datasetId]: { 'COVID-19': 'positive', normal: 'negative' } } },
    seed: 0,
    algorithm: 'test',
    assignments: images.map((image) => ({
      imageId: image.imageId,
      datasetId,
      patientId: image.imageId,
      contentHash: image.contentHash,
      label: image.positive ? 'COVID-19' : 'normal',
      binaryLabel: image.positive ? 'positive' : 'negative',
      split: testOnly ? 'test' : image.split,
      source: 'primary',
    })),
    excluded: [],
    counts: { datasetIds: [datasetId], rows: [], total: { split: 'total', byDataset: {}, total: { positive: 0, negative: 0 } } },
    warnings: [],
  }
}

/** Two datasets on disk: "synthetic" (composition "comp-1", split train/validation/test) and "other" (test-only "ext-1"). */
export async function writeStudyFixtures(root: string): Promise<{ own: FixtureImage[]; external: FixtureImage[] }> {
  const own = (await writeFixtureImages(join(root, 'images'), 24)).map((image, index) => ({ ...image, split: (index % 8 >= 6 ? 'test' : index % 8 >= 4 ? 'validation' : 'train') as FixtureImage['split'] }))
  return { own, external: await writeExternalImages(join(root, 'external'), 16) }
}

/**
 * A 40×40 toy radiograph: a bright blob on the left for COVID+, on the right for COVID−, over a background of the
 * given brightness (another source: brighter, with a frame), with a little texture that differs per index.
 */
export function blobPixels(index: number, options: { positive: boolean; background: number; frame?: boolean }): Buffer {
  const size = 40
  const pixels = Buffer.alloc(size * size)
  const cx = options.positive ? 12 : 28
  const cy = 12 + (index % 6) * 3
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      const frame = options.frame && (row < 2 || column < 2 || row >= size - 2 || column >= size - 2) ? 60 : 0
      pixels[row * size + column] = Math.min(255, Math.round(options.background + frame + 170 * Math.exp(-((row - cy) ** 2 + (column - cx) ** 2) / 45) + ((index * 17 + row * 5 + column * 11) % 13)))
    }
  }
  return pixels
}

/**
 * The external set: the same toy task (a bright blob left for COVID+, right for COVID−) from "another source": a
 * brighter background with a frame, as images from another hospital differ. All test images.
 */
async function writeExternalImages(folder: string, count: number): Promise<FixtureImage[]> {
  mkdirSync(folder, { recursive: true })
  const images: FixtureImage[] = []
  for (let index = 0; index < count; index++) {
    const positive = index % 2 === 0
    const pixels = blobPixels(index, { positive, background: 70, frame: true })
    const path = join(folder, `external-${index}.png`)
    await sharp(pixels, { raw: { width: 40, height: 40, channels: 1 } }).png().toFile(path)
    images.push({ imageId: `external-${index}`, path, contentHash: createHash('sha256').update(pixels).digest('hex'), positive, split: 'test' })
  }
  return images
}

/** A library holding the two datasets and their compositions: what runs, evaluations and studies read. */
export function studyLibrary(fixtures: { own: FixtureImage[]; external: FixtureImage[] }) {
  const compositions = new Map([
    ['comp-1', { name: 'synthetic', composition: compositionOf('synthetic', 'synthetic', fixtures.own, false) }],
    ['ext-1', { name: 'external', composition: compositionOf('external', 'other', fixtures.external, true) }],
  ])
  const imagesOf = (datasetId: string) => (datasetId === 'synthetic' ? fixtures.own : datasetId === 'other' ? fixtures.external : [])
  const library: RunsLibrary = {
    async loadComposition({ compositionId }) {
      const found = compositions.get(compositionId)
      if (!found) throw new Error(`no composition ${compositionId}`)
      return structuredClone(found.composition)
    },
    async listImages({ datasetId, offset = 0 }) {
      const images = imagesOf(datasetId)
      return {
        total: images.length,
        offset,
        images: images.slice(offset).map((image) => ({ imageId: image.imageId, datasetId, patientId: image.imageId, label: '', contentHash: image.contentHash, path: image.path, format: 'png', byteSize: 0, width: 40, height: 40, maskCount: 0, attributes: {} })),
      } as Awaited<ReturnType<RunsLibrary['listImages']>>
    },
    async imageRecords() {
      return []
    },
  }
  return {
    library,
    compositions: {
      list: async () => [...compositions].map(([id, entry]) => ({ id, name: entry.name })),
      load: async (compositionId: string) => ({ composition: await library.loadComposition({ compositionId }) }),
    },
    datasets: {
      listDatasets: async () => [
        { id: 'synthetic', name: 'synthetic', classCounts: { 'COVID-19': 12, normal: 12 } },
        { id: 'other', name: 'other', classCounts: { 'COVID-19': 8, normal: 8 } },
      ],
      imageRecords: async ({ datasetIds }: { datasetIds: string[] }) =>
        datasetIds.flatMap((datasetId) => imagesOf(datasetId).map((image) => ({ imageId: image.imageId, datasetId, patientId: image.imageId, label: image.positive ? 'COVID-19' : 'normal', contentHash: image.contentHash }))),
    },
  }
}


/** Runs and evaluations (in worker threads, as in the app) and studies on one data folder. */
export function createStudyServices(dataFolder: string, fixtures: ReturnType<typeof studyLibrary>, options: { autoContinue: boolean }) {
  const runs: RunsServiceImpl = createRunsService({ dataFolder, library: fixtures.library, execution: { kind: 'worker', entry: tsWorkerEntry() }, backend: () => ({ preference: 'wasm', source: 'setting' }) })
  const jobs = createJobLauncher({ kind: 'worker', entry: tsWorkerEntry(), backend: () => ({ preference: 'wasm', source: 'setting' }) })
  const evaluation = createEvaluationService({ dataFolder, runs, compositions: fixtures.compositions, library: fixtures.library, jobs })
  const studies = createStudyService({ dataFolder, runs, evaluation, compositions: fixtures.compositions, datasets: fixtures.datasets, ownerKind: 'app', autoContinue: options.autoContinue })
  return {
    runs,
    evaluation,
    studies,
    async close() {
      // As when the program quits: the training in progress stops at once (interrupted, resumable) while the study
      // finishes the unit of work it is in (an evaluation can take seconds in its worker).
      const stopping = runs.close()
      await studies.close()
      await stopping
    },
  }
}

/** Two preprocessing levels × two seeds of a tiny Conv8, tested on its own test split and the external set. */
export const TINY_STUDY: StudySpecInput = {
  name: 'tiny study',
  architectures: ['conv8'],
  preprocessing: ['equalize', 'raw'],
  compositions: [{ compositionId: 'comp-1' }],
  seeds: [1, 2],
  testSets: [{ compositionId: 'ext-1' }],
  training: { baseWidth: 2, input: { resize: 20, crop: 16 }, headHidden: [4], optimizer: { kind: 'adam' }, learningRate: 0.01, batchSize: 4, epochs: 2, checkpointEverySteps: 1 },
  evaluation: { replicates: 200 },
}
