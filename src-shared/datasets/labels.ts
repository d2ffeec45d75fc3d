import { CompositionError } from './errors'
import type { CompositionSpec, ExcludedImage, ImageRecord, LabeledImage } from './types'

/** The images of a composition's datasets, sorted into candidates and exclusions. */
export interface LabelingResult {
  /** Images with a binary label, in input order. */
  labeled: LabeledImage[]
  /** Images dropped by the label mapping (`exclude`) or by the view filter. */
  excluded: ExcludedImage[]
}

/**
 * Attach COVID± to every image of the spec's datasets by the spec's label mapping, and drop the views the spec
 * does not keep. Images of other datasets are ignored (a library holds more than one composition uses).
 * Every (dataset, label) pair present must be mapped: a silent default would put, say, ChestXRay's `virus`
 * images in a class nobody chose.
 * @param records images from the library.
 * @param spec the parsed composition spec.
 * @throws CompositionError `unmapped-label` naming each dataset and label without a mapping.
 */
export function applyLabelMapping(records: readonly ImageRecord[], spec: CompositionSpec): LabelingResult {
  const datasetIds = new Set([...spec.primary, ...spec.borrow])
  const labeled: LabeledImage[] = []
  const excluded: ExcludedImage[] = []
  const unmapped = new Map<string, { datasetId: string; label: string; count: number }>()
  for (const record of records) {
    if (!datasetIds.has(record.datasetId)) continue
    const target = Object.hasOwn(spec.labelMapping[record.datasetId] ?? {}, record.label)
      ? spec.labelMapping[record.datasetId][record.label]
      : undefined
    if (target === undefined) {
      const key = `${record.datasetId}\u0000${record.label}`
      const entry = unmapped.get(key) ?? { datasetId: record.datasetId, label: record.label, count: 0 }
      entry.count += 1
      unmapped.set(key, entry)
      continue
    }
    const views = spec.views?.[record.datasetId]
    if (target === 'exclude') excluded.push(excludedImage(record, 'label-excluded'))
    else if (views && (record.view === undefined || !views.includes(record.view))) excluded.push(excludedImage(record, 'view-excluded'))
    else labeled.push({ ...record, binaryLabel: target })
  }
  if (unmapped.size > 0) {
    const pairs = [...unmapped.values()].map(
      ({ datasetId, label, count }) => `dataset "${datasetId}" label "${label}" (${count} image${count === 1 ? '' : 's'})`,
    )
    throw new CompositionError(
      'unmapped-label',
      `Say what each label means for "${spec.name}" (COVID+, COVID− or leave out): not chosen yet for ${pairs.join('; ')}.`,
      pairs,
    )
  }
  return { labeled, excluded }
}

/**
 * An exclusion entry for an image.
 * @param record the image.
 * @param reason why it is in no split.
 */
export function excludedImage(record: ImageRecord, reason: ExcludedImage['reason']): ExcludedImage {
  const entry: ExcludedImage = {
    imageId: record.imageId,
    datasetId: record.datasetId,
    patientId: record.patientId,
    contentHash: record.contentHash,
    label: record.label,
    reason,
  }
  if (record.view !== undefined) entry.view = record.view
  return entry
}
