import type { DatasetSummary, ImageSummary, MaskSummary } from '@shared/library/summaries'
import type { LibraryService } from '@shared/library/types'
import type { LungMaskSource } from './lungDataset'
import type { MaskPair } from './maskPairs'
import { LungTrainingError } from './errors'

/** The library calls a training job needs (the whole `LibraryService` satisfies it). */
export type LungTrainingLibrary = Pick<LibraryService, 'getDataset' | 'listImages' | 'listMasks'>

/** A mask of these structures outlines lungs (the mask import's default structure is `lungs`). */
export function isLungStructure(structure: string): boolean {
  return /lung/i.test(structure)
}

/** A dataset checked to have lung masks, with its pairs and patients ready for `loadLungDataset`. */
export interface LibraryLungSource {
  dataset: DatasetSummary
  source: LungMaskSource
  pairCount: number
}

const PAGE = 5000

/**
 * Turns a library dataset into a lung mask source for `trainLungModel`: one pair per image with lung masks (several
 * lung masks of one image, e.g. left and right, are merged by union when read). Pair ids are `datasetId/imageId`
 * and the "file name" is the image id, because image ids are unique within a dataset while file names need not
 * be (and the card should name images without the machine's folders). Patient ids are prefixed with the dataset
 * id: the library's patient ids are per dataset, and two datasets' `p1` are not the same person.
 * @throws LungTrainingError `no-masks` naming the dataset when it has no lung mask.
 */
export async function libraryLungSource(library: LungTrainingLibrary, datasetId: string): Promise<LibraryLungSource> {
  const dataset = await library.getDataset({ datasetId })
  const masks = await library.listMasks({ datasetId })
  const lungMasks = masks.filter((mask) => isLungStructure(mask.structure))
  if (lungMasks.length === 0) {
    const others = [...new Set(masks.map((mask) => mask.structure))]
    const detail = others.length > 0 ? `it has masks of ${others.map((structure) => `'${structure}'`).join(', ')} only` : 'it has no masks'
    throw new LungTrainingError('no-masks', `Dataset '${dataset.name}' (${datasetId}) cannot train a lung model: ${detail}. Import lung masks for it first.`)
  }
  const images = await allImages(library, datasetId)
  const byImage = new Map<string, MaskSummary[]>()
  for (const mask of lungMasks) byImage.set(mask.imageId, [...(byImage.get(mask.imageId) ?? []), mask])
  const pairs: MaskPair[] = []
  const patients = new Map<string, string>()
  const skipped: Array<{ file: string; reason: string }> = []
  for (const [imageId, imageMasks] of byImage) {
    const image = images.get(imageId)
    if (!image) {
      skipped.push({ file: imageId, reason: 'the mask\'s image is no longer in the dataset' })
      continue
    }
    pairs.push({ id: `${datasetId}/${imageId}`, sourceId: datasetId, fileName: imageId, imagePath: image.path, maskPaths: imageMasks.map((mask) => mask.path) })
    patients.set(imageId, `${datasetId}:${image.patientId}`)
  }
  pairs.sort((a, b) => a.id.localeCompare(b.id))
  return {
    dataset,
    pairCount: pairs.length,
    source: {
      id: datasetId,
      location: `library dataset '${dataset.name}' (${datasetId})`,
      convention: `the dataset's imported masks of structure ${[...new Set(lungMasks.map((mask) => `'${mask.structure}'`))].join(', ')}`,
      licence: 'not recorded in the library: see the dataset\'s source',
      list: async () => ({ pairs, skipped }),
      patientOf: (fileName) => patients.get(fileName),
    },
  }
}

async function allImages(library: LungTrainingLibrary, datasetId: string): Promise<Map<string, ImageSummary>> {
  const images = new Map<string, ImageSummary>()
  for (let offset = 0; ; offset += PAGE) {
    const page = await library.listImages({ datasetId, offset, limit: PAGE })
    for (const image of page.images) images.set(image.imageId, image)
    if (page.images.length < PAGE || offset + PAGE >= page.total) return images
  }
}
