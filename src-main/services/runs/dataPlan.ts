import { createHash } from 'node:crypto'
import type { Composition } from '@shared/datasets/types'
import type { LibraryService } from '@shared/library/types'
import type { RunConfig } from '@shared/runs/config'
import { mulberry32 } from '@shared/metrics/random'
import { mixSeed } from './random'
import { RunFailure } from './runFailure'

/** One image a run trains or validates on: where its file is, what it is, and its class index. */
export interface PlannedImage {
  imageId: string
  datasetId: string
  path: string
  contentHash: string
  split: 'train' | 'validation'
  label: number
}

/** The images of one phase, resolved to files: plain data, sent to the worker. */
export interface DataPlan {
  images: PlannedImage[]
  /** Number of classes (2 for COVID±, 2 or 3 for pre-training). */
  classes: number
  /** Class names by index, for messages. */
  classNames: string[]
}

/** The fine-tuning plan with the composition's identity. */
export interface FinetunePlan extends DataPlan {
  compositionId: string
  compositionHash: string
}

/** The parts of the library a run reads. */
export type RunsLibrary = Pick<LibraryService, 'loadComposition' | 'listImages' | 'imageRecords'>

/** The least a run needs: batch norm and AUC mean nothing below this. */
export const MIN_TRAIN_IMAGES = 4
/** Validation needs at least one image per class for an AUC. */
export const MIN_VALIDATION_IMAGES = 2

/**
 * SHA-256 of a composition's defining content (spec, seed, rules version, assignments), so two runs on the same
 * sets share a hash whatever the composition was called or when it was saved.
 */
export function compositionHash(composition: Composition): string {
  const canonical = JSON.stringify({ spec: composition.spec, seed: composition.seed, algorithm: composition.algorithm, assignments: composition.assignments })
  return createHash('sha256').update(canonical).digest('hex')
}

/**
 * The composition's train and validation images with their files and COVID± labels (1 = COVID+). The test split
 * is left out on purpose: a run must never see it. Fails with a reason a user can act on when a class is
 * missing or the sets are too small.
 */
export async function planFinetune(library: RunsLibrary, compositionId: string): Promise<FinetunePlan> {
  let composition: Composition
  try {
    composition = await library.loadComposition({ compositionId })
  } catch (error) {
    throw new RunFailure(`composition ${compositionId} could not be loaded: ${(error as Error).message}`)
  }
  const used = composition.assignments.filter((assignment) => assignment.split !== 'test')
  const paths = await imagePaths(library, [...new Set(used.map((assignment) => assignment.datasetId))])
  const images: PlannedImage[] = used.map((assignment) => ({
    imageId: assignment.imageId,
    datasetId: assignment.datasetId,
    contentHash: assignment.contentHash,
    path: requirePath(paths, assignment.datasetId, assignment.imageId),
    split: assignment.split as 'train' | 'validation',
    label: assignment.binaryLabel === 'positive' ? 1 : 0,
  }))
  const plan: FinetunePlan = { images: canonicalOrder(images), classes: 2, classNames: ['COVID−', 'COVID+'], compositionId, compositionHash: compositionHash(composition) }
  checkPlan(plan, `composition ${compositionId}`)
  return plan
}

const PRETRAIN_CLASSES = { three: ['normal', 'bacteria', 'virus'], binary: ['normal', 'pneumonia'] } as const

/**
 * A pneumonia dataset's images as a pre-training plan: labels mapped through the configuration's label map
 * (every label present must be mapped), patients split train/validation with the run's seed so no patient is on
 * both sides.
 */
export async function planPretrain(library: RunsLibrary, pretraining: Extract<RunConfig['pretraining'], { kind: 'train' }>, seed: number): Promise<DataPlan> {
  const records = await library.imageRecords({ datasetIds: pretraining.datasetIds })
  const paths = await imagePaths(library, pretraining.datasetIds)
  const classNames: string[] = [...PRETRAIN_CLASSES[pretraining.classes]]
  const unmapped = [...new Set(records.map((record) => record.label).filter((label) => !(label in pretraining.labelMap)))]
  if (unmapped.length > 0) throw new RunFailure(`pre-training labels without a class in labelMap: ${unmapped.join(', ')} (map each to normal, bacteria, virus or exclude)`)
  // Patients in the order of their smallest image content hash: the split then depends on the images, never on how
  // patient ids are spelt (pseudonyms differ from one library's key to another's).
  const anchors = new Map<string, string>()
  for (const record of records) {
    const patient = `${record.datasetId}\u0000${record.patientId}`
    const anchor = anchors.get(patient)
    if (anchor === undefined || record.contentHash < anchor) anchors.set(patient, record.contentHash)
  }
  const patients = [...anchors.entries()].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)).map(([patient]) => patient)
  const random = mulberry32(mixSeed(seed, 'pretrain-split'))
  const validationPatients = new Set(patients.filter(() => random() < pretraining.validationFraction))
  const images: PlannedImage[] = []
  for (const record of records) {
    const target = pretraining.labelMap[record.label]
    if (target === 'exclude') continue
    const label = pretraining.classes === 'three' ? classNames.indexOf(target) : target === 'normal' ? 0 : 1
    images.push({
      imageId: record.imageId,
      datasetId: record.datasetId,
      contentHash: record.contentHash,
      path: requirePath(paths, record.datasetId, record.imageId),
      split: validationPatients.has(`${record.datasetId}\u0000${record.patientId}`) ? 'validation' : 'train',
      label,
    })
  }
  const plan: DataPlan = { images: canonicalOrder(images), classes: classNames.length, classNames }
  checkPlan(plan, `pre-training dataset ${pretraining.datasetIds.join(', ')}`)
  return plan
}

/**
 * A plan's images ordered by content hash (then dataset and id for duplicates): the order seeded epochs index
 * into, so the same images give the same batches whatever order the library or a composition file lists them in
 * (another machine, another import order, a bundle on a cluster).
 */
function canonicalOrder(images: PlannedImage[]): PlannedImage[] {
  const key = (image: PlannedImage) => `${image.contentHash}\u0000${image.datasetId}\u0000${image.imageId}`
  return [...images].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}

/**
 * Rejects plans a classifier cannot learn from, with the counts: a training split without one of the classes
 * (the paper's point: a one-class set teaches nothing but the dataset), or too few images.
 */
export function checkPlan(plan: DataPlan, what: string): void {
  const train = plan.images.filter((image) => image.split === 'train')
  const validation = plan.images.filter((image) => image.split === 'validation')
  const count = (images: PlannedImage[]) => plan.classNames.map((name, index) => `${images.filter((image) => image.label === index).length} ${name}`).join(', ')
  if (train.length < MIN_TRAIN_IMAGES) throw new RunFailure(`${what} has too few training images: ${train.length} (${count(train)}); at least ${MIN_TRAIN_IMAGES} are needed`)
  if (validation.length < MIN_VALIDATION_IMAGES) {
    throw new RunFailure(`${what} has too few validation images: ${validation.length}; at least ${MIN_VALIDATION_IMAGES} are needed to pick the best epoch`)
  }
  const missing = plan.classNames.filter((_, index) => !train.some((image) => image.label === index))
  if (missing.length > 0) {
    throw new RunFailure(`${what}: the training split has only one class (${count(train)}); no ${missing.join(' or ')} images, so a classifier cannot learn anything but the dataset`)
  }
}

async function imagePaths(library: RunsLibrary, datasetIds: string[]): Promise<Map<string, string>> {
  const paths = new Map<string, string>()
  for (const datasetId of datasetIds) {
    for (let offset = 0; ; ) {
      const page = await library.listImages({ datasetId, offset, limit: 5000 })
      for (const image of page.images) paths.set(`${datasetId}\u0000${image.imageId}`, image.path)
      offset += page.images.length
      if (page.images.length === 0 || offset >= page.total) break
    }
  }
  return paths
}

function requirePath(paths: Map<string, string>, datasetId: string, imageId: string): string {
  const path = paths.get(`${datasetId}\u0000${imageId}`)
  if (!path) throw new RunFailure(`image ${imageId} of dataset ${datasetId} is in the composition but no longer in the library`)
  return path
}

