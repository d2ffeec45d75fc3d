import type { Composition } from '@shared/datasets/types'
import type { EvaluationSplit } from '@shared/evaluation/types'
import type { LibraryService } from '@shared/library/types'

/** One image of a composition split with its file. */
export interface SplitImage {
  imageId: string
  datasetId: string
  patientId: string
  contentHash: string
  label: 0 | 1
  path: string
}

/** The composition loader the evaluation needs (the composition service's `load`). */
export interface CompositionSource {
  load(compositionId: string): Promise<{ composition: Composition }>
  /** Names for matrix columns; ids are shown when absent. */
  list?(): Promise<{ id: string; name: string }[]>
}

/**
 * The images of a composition's split with their files, in the composition's order. Fails naming the image
 * when the library no longer has it: an evaluation must score the whole split or nothing.
 */
export async function splitImages(
  compositions: CompositionSource,
  library: Pick<LibraryService, 'listImages'>,
  compositionId: string,
  split: EvaluationSplit,
): Promise<SplitImage[]> {
  const { composition } = await compositions.load(compositionId)
  const assignments = composition.assignments.filter((assignment) => assignment.split === split)
  if (assignments.length === 0) throw new Error(`composition ${compositionId} has no ${split} images`)
  const paths = new Map<string, Map<string, string>>()
  for (const datasetId of new Set(assignments.map((assignment) => assignment.datasetId))) paths.set(datasetId, await datasetImagePaths(library, datasetId))
  return assignments.map((assignment) => {
    const path = paths.get(assignment.datasetId)?.get(assignment.imageId)
    if (!path) throw new Error(`image ${assignment.imageId} of dataset ${assignment.datasetId} is no longer in the library; re-import it or rebuild composition ${compositionId}`)
    return {
      imageId: assignment.imageId,
      datasetId: assignment.datasetId,
      patientId: assignment.patientId,
      contentHash: assignment.contentHash,
      label: assignment.binaryLabel === 'positive' ? 1 : 0,
      path,
    }
  })
}

/** Every image of a dataset by id, with its file: the library's pages read to the end. */
export async function datasetImagePaths(library: Pick<LibraryService, 'listImages'>, datasetId: string): Promise<Map<string, string>> {
  const paths = new Map<string, string>()
  for (let offset = 0; ; ) {
    const page = await library.listImages({ datasetId, offset, limit: 5000 })
    for (const image of page.images) paths.set(image.imageId, image.path)
    offset += page.images.length
    if (page.images.length === 0 || offset >= page.total) break
  }
  return paths
}
