import type { ImageRepository } from '../../library/imageRepository'
import type { ImportJobRepository, ItemStatus } from '../../library/importJobRepository'
import type { MaskRepository } from '../../library/maskRepository'
import type { DuplicatePolicy } from '@shared/library/importSpecs'
import type { ItemOutcome } from './outcomes'

/** The repositories a batch writes to. */
export interface BatchWriters {
  images: ImageRepository
  masks: MaskRepository
  jobs: ImportJobRepository
}

/** Who writes, and under which rules. */
export interface ApplyContext {
  jobId: string
  datasetId: string
  duplicates: DuplicatePolicy
  now: string
}

/**
 * Write one processed file's outcome and its item status. Call inside the batch's transaction: the image row,
 * its PHI row, its issues and the item's new status commit together or not at all.
 *
 * Dedupe rules, per dataset:
 * - same image id, same content: `unchanged` (re-importing a folder changes nothing);
 * - same image id, other content: `failed` (`content-changed`): the library never silently replaces an image a
 *   composition may already use;
 * - other image id, same content: kept with a `duplicate-content` warning, or `skipped` with `duplicates: 'skip'`.
 * @param outcome what processing found.
 * @param writers the repositories.
 * @param context the job and its rules.
 * @returns the item's new status.
 */
export function applyOutcome(outcome: ItemOutcome, writers: BatchWriters, context: ApplyContext): ItemStatus {
  const status = decide(outcome, writers, context)
  writers.jobs.setItemStatus(context.jobId, outcome.ordinal, status)
  return status
}

function decide(outcome: ItemOutcome, writers: BatchWriters, context: ApplyContext): ItemStatus {
  const { jobs, images, masks } = writers
  const issue = (value: Parameters<ImportJobRepository['addIssue']>[1]) => jobs.addIssue(context.jobId, { ...value, ordinal: outcome.ordinal })
  if (outcome.kind === 'rejected') {
    issue(outcome.issue)
    return outcome.status
  }
  for (const warning of outcome.warnings) issue(warning)

  if (outcome.kind === 'image') {
    const image = outcome.image
    const existing = images.bySourceKey(context.datasetId, outcome.sourceKey)
    if (existing) {
      if (existing.contentHash !== image.contentHash) {
        issue({
          code: 'content-changed',
          severity: 'error',
          file: image.path,
          message: `${outcome.sourceKey}: the file's content differs from the image imported under this name; remove that image or import into a new dataset`,
        })
        return 'failed'
      }
      const differences = [
        existing.label !== image.label ? `label "${existing.label}" → "${image.label}"` : '',
        existing.patientId !== image.patientId ? `patient "${existing.patientId}" → "${image.patientId}"` : '',
        (existing.view ?? undefined) !== image.view ? `view "${existing.view ?? ''}" → "${image.view ?? ''}"` : '',
      ].filter(Boolean)
      if (differences.length > 0) {
        issue({
          code: 'metadata-differs',
          severity: 'warning',
          file: image.path,
          message: `${outcome.sourceKey}: already imported; the library keeps its values although the source now says ${differences.join(', ')}`,
        })
      }
      return 'unchanged'
    }
    const twin = images.firstByHash(context.datasetId, image.contentHash)
    if (twin) {
      const skip = context.duplicates === 'skip'
      issue({
        code: 'duplicate-content',
        severity: skip ? 'info' : 'warning',
        file: image.path,
        message: `${outcome.sourceKey}: same content as "${twin.sourceKey}"${skip ? '; skipped' : '; kept as a separate image'}`,
      })
      if (skip) return 'skipped'
    }
    const imageId = images.insert({ ...image, datasetId: context.datasetId, sourceKey: outcome.sourceKey, importJobId: context.jobId, createdAt: context.now })
    if (outcome.phi && Object.keys(outcome.phi).length > 0) images.insertPhi(imageId, outcome.phi)
    return 'imported'
  }

  const mask = outcome.mask
  const image = images.bySourceKey(context.datasetId, mask.imageKey)
  if (!image) {
    issue({ code: 'image-not-imported', severity: 'warning', file: mask.sources[0], message: `${mask.sources[0]}: image "${mask.imageKey}" is not in the dataset` })
    return 'skipped'
  }
  const existing = masks.find(image.id, mask.structure)
  if (existing) {
    if (existing.contentHash === mask.contentHash) return 'unchanged'
    issue({
      code: 'mask-conflict',
      severity: 'error',
      file: mask.sources[0],
      message: `${mask.sources[0]}: image "${mask.imageKey}" already has a different ${mask.structure} mask (${existing.path})`,
    })
    return 'failed'
  }
  masks.insert({ ...mask, imageId: image.id, importJobId: context.jobId, createdAt: context.now })
  return 'imported'
}
