import type { ImportSpec } from '@shared/library/importSpecs'
import type { ImportIssue } from '@shared/library/jobs'
import type { ImportPreview } from '@shared/library/summaries'
import { summariseDicomHeaders } from './dicomHeaders'
import type { ImportPlan } from './plan'

/** Issues listed in a preview; the counts cover all of them. */
const PREVIEW_ISSUE_LIMIT = 200

/**
 * What the wizard shows before an import: counts per class and view, patients, the first planned images, the
 * issues (grouped counts and the first ones), blocking problems, and for DICOM folders a header summary.
 * @param spec the parsed spec.
 * @param plan its plan.
 * @param options `datasetExists` (is this an addition to a dataset?), how many sample rows to return, and the labels
 *   the dataset already has by image id (to warn about a re-import that would change them).
 */
export async function summarisePlan(
  spec: ImportSpec,
  plan: ImportPlan,
  options: { datasetExists: boolean; sampleSize: number; existingLabels?: ReadonlyMap<string, string> },
): Promise<ImportPreview> {
  const images = plan.items.filter((item) => item.kind === 'image')
  const classCounts: Record<string, number> = {}
  const viewCounts: Record<string, number> = {}
  const patients = new Set<string>()
  for (const image of images) {
    classCounts[image.payload.label] = (classCounts[image.payload.label] ?? 0) + 1
    const view = image.payload.view ?? 'unknown'
    viewCounts[view] = (viewCounts[view] ?? 0) + 1
    if (image.payload.patientId !== undefined) patients.add(image.payload.patientId)
  }
  const issueCounts: Record<string, number> = {}
  for (const issue of plan.issues) issueCounts[issue.code] = (issueCounts[issue.code] ?? 0) + 1
  const preview: ImportPreview = {
    kind: spec.kind,
    datasetId: plan.datasetId,
    datasetExists: options.datasetExists,
    blocking: plan.blocking,
    imageCount: images.length,
    maskCount: plan.items.length - images.length,
    classCounts,
    patientCount: patients.size,
    viewCounts: images.length > 0 && spec.kind !== 'dicom-folder' ? viewCounts : {},
    sample: images.slice(0, options.sampleSize).map((image) => ({
      imageId: image.sourceKey,
      file: image.path,
      label: image.payload.label,
      ...(image.payload.patientId !== undefined ? { patientId: image.payload.patientId } : {}),
      ...(image.payload.view !== undefined ? { view: image.payload.view } : {}),
    })),
    issueCounts,
    issues: plan.issues.slice(0, PREVIEW_ISSUE_LIMIT).map(({ ordinal: _ordinal, ...issue }): ImportIssue => issue),
  }
  if (plan.folders) preview.folders = plan.folders
  if (options.existingLabels?.size) {
    const changed = images.filter((image) => {
      const before = options.existingLabels!.get(image.sourceKey)
      return before !== undefined && before !== image.payload.label
    })
    if (changed.length > 0) {
      preview.relabelled = {
        count: changed.length,
        examples: changed.slice(0, 5).map((image) => ({ file: image.sourceKey, from: options.existingLabels!.get(image.sourceKey)!, to: image.payload.label })),
      }
    }
  }
  if (spec.kind === 'dicom-folder' && plan.blocking.length === 0) {
    const dicom = await summariseDicomHeaders(images.map((image) => image.path))
    preview.dicom = dicom
    preview.viewCounts = dicom.views
    preview.patientCount = dicom.patients
  }
  return preview
}
