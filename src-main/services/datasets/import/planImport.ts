import { basename } from 'node:path'
import { isLibraryError } from '@shared/library/errors'
import type { ImportSpec, MaskSource } from '@shared/library/importSpecs'
import { targetDatasetId } from '@shared/library/importSpecs'
import type { ImportIssue } from '@shared/library/jobs'
import type { DatasetRepository } from '../../library/datasetRepository'
import type { ImageRepository } from '../../library/imageRepository'
import { planCsvImages } from './csvPlan'
import { planDicomFolderImages, planFolderPerClassImages } from './folderPlan'
import { planMasks } from './maskPlan'
import type { MaskTarget } from './maskPlan'
import type { ImportPlan, IssueList, PlannedItem } from './plan'
import type { ReadableCheck } from './readable'
import type { ImportJobRepository } from '../../library/importJobRepository'
import type { Pseudonymiser } from '../../library/pseudonyms'

/** What planning reads from the library (never writes). */
export interface PlanContext {
  datasets: Pick<DatasetRepository, 'get'>
  images: Pick<ImageRepository, 'identities'>
  /** Checks each source right before it is read. */
  readable: ReadableCheck
  /** How the target dataset's earlier imports stored patient ids. */
  jobs: Pick<ImportJobRepository, 'patientIdConvention'>
  /** The library's pseudonymiser, loaded on first use (it creates the key when there is none). */
  pseudonymiser: () => Pseudonymiser
}

/**
 * Plan an import from its spec: read the sources, decide every file's label, patient and mask, and collect the
 * issues. Reads files and the database; writes nothing, so the wizard's preview and the job share this code and
 * a blocked import leaves no trace. A source that cannot be read at all (missing CSV, empty file) becomes a
 * blocking issue rather than an exception.
 * @param spec the parsed spec.
 * @param context read access to the library.
 */
export async function planImport(spec: ImportSpec, context: PlanContext): Promise<ImportPlan> {
  const datasetId = targetDatasetId(spec)
  try {
    switch (spec.kind) {
      case 'csv': {
        const images = await planCsvImages(spec, context)
        const plan = { ...base(datasetId, images.items, images.issues, { sourceKind: 'csv', rootFolder: images.imageFolder }), spec: { ...spec, pseudonymise: images.pseudonymise } }
        return withMasks(plan, spec.masks, 'lungs', targetsOf(images.items), context)
      }
      case 'folder-per-class': {
        const images = await planFolderPerClassImages(spec, context)
        const plan = { ...base(datasetId, images.items, images.issues, { sourceKind: 'folder-per-class', rootFolder: images.rootFolder }), folders: images.folders }
        return withMasks(plan, spec.masks, 'lungs', targetsOf(images.items), context)
      }
      case 'dicom-folder': {
        const images = await planDicomFolderImages(spec, context)
        const plan = { ...base(datasetId, images.items, images.issues, { sourceKind: 'dicom-folder', rootFolder: images.rootFolder }), folders: images.folders }
        return withMasks(plan, spec.masks, 'lungs', targetsOf(images.items), context)
      }
      case 'masks': {
        if (!context.datasets.get(datasetId)) {
          return { datasetId, items: [], issues: [], blocking: [{ code: 'unknown-dataset', severity: 'error', field: 'datasetId', message: `No dataset "${datasetId}" to attach masks to; import its images first` }] }
        }
        const targets = context.images.identities(datasetId).map((image) => ({ sourceKey: image.sourceKey, fileName: basename(image.path) }))
        return withMasks({ datasetId, items: [], issues: [], blocking: [] }, spec.source, spec.structure, targets, context)
      }
    }
  } catch (error) {
    if (isLibraryError(error) && error.code === 'import-blocked') {
      return { datasetId, items: [], issues: [], blocking: error.issues.map((issue) => ({ ...issue, severity: 'error', code: issue.code as ImportIssue['code'] })) }
    }
    throw error
  }
}

function base(datasetId: string, items: PlannedItem[], issues: IssueList, dataset: NonNullable<ImportPlan['dataset']>): ImportPlan {
  return { datasetId, dataset, items: [...items], issues: [...issues.issues], blocking: [...issues.blocking] }
}

function targetsOf(items: ReadonlyArray<Extract<PlannedItem, { kind: 'image' }>>): MaskTarget[] {
  return items.map((item) => ({ sourceKey: item.sourceKey, fileName: basename(item.path) }))
}

async function withMasks(plan: ImportPlan, source: MaskSource | undefined, structure: string, targets: MaskTarget[], context: PlanContext): Promise<ImportPlan> {
  if (!source || plan.blocking.length > 0) return plan
  const masks = await planMasks(source, structure, targets, context.readable)
  const blocking = [...plan.blocking, ...masks.issues.blocking]
  // A mask-only import that matches nothing would record an empty job: say why instead.
  if (masks.items.length === 0 && masks.issues.blocking.length === 0 && plan.items.length === 0) {
    blocking.push({ code: 'no-images', severity: 'error', message: 'No mask matches an image of the dataset' })
  }
  return { ...plan, items: [...plan.items, ...masks.items], issues: [...plan.issues, ...masks.issues.issues], blocking }
}
