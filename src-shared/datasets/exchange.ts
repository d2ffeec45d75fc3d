import { z } from 'zod'
import { compareAssignments } from './composeDataset'
import { countComposition } from './counts'
import { CompositionError } from './errors'
import { BinaryLabelSchema, CompositionSpecSchema, CountTableSchema, ExclusionReasonSchema, SplitSchema } from './types'
import type { Composition, ExcludedImage, ImageAssignment, ImageRecord, Split } from './types'
import { parseJsonText } from '../files/jsonText'

/** Identifies the file type; bump {@link COMPOSITION_EXPORT_VERSION} when the shape changes. */
export const COMPOSITION_EXPORT_FORMAT = 'cxr-workstation.composition'
/** Version of the export shape (not of the split rules, which travel as `algorithm`). */
export const COMPOSITION_EXPORT_VERSION = 1

/**
 * A composition as a portable file: the rules (spec, seed, algorithm) and, per image, its content hash and
 * split. Images are named by content hash because ids and paths differ between workstations while the pixels
 * do not; the explicit list (not just the seed) is what makes the rebuild exact even if the split rules or the
 * library's other images change.
 */
export const CompositionExportSchema = z.object({
  format: z.literal(COMPOSITION_EXPORT_FORMAT),
  version: z.literal(COMPOSITION_EXPORT_VERSION),
  algorithm: z.string(),
  seed: z.number().int(),
  spec: CompositionSpecSchema,
  images: z.array(
    z.object({
      contentHash: z.string().min(1),
      /** Hints for matching when one hash has several copies; the hash decides. */
      imageId: z.string(),
      datasetId: z.string(),
      split: SplitSchema,
      binaryLabel: BinaryLabelSchema,
      source: z.enum(['primary', 'borrowed']),
    }),
  ),
  excluded: z.array(z.object({ contentHash: z.string().min(1), imageId: z.string(), datasetId: z.string(), reason: ExclusionReasonSchema })),
  /** The counts at export time, to compare with the rebuild. */
  counts: CountTableSchema,
  warnings: z.array(z.string()),
})
/** A composition as a portable file. */
export type CompositionExport = z.infer<typeof CompositionExportSchema>

/**
 * Export a composition for another workstation (plain JSON data: pass it to `JSON.stringify`).
 * @param composition the composition to export.
 */
export function exportComposition(composition: Composition): CompositionExport {
  return {
    format: COMPOSITION_EXPORT_FORMAT,
    version: COMPOSITION_EXPORT_VERSION,
    algorithm: composition.algorithm,
    seed: composition.seed,
    spec: composition.spec,
    images: composition.assignments.map(({ contentHash, imageId, datasetId, split, binaryLabel, source }) => ({
      contentHash,
      imageId,
      datasetId,
      split,
      binaryLabel,
      source,
    })),
    excluded: composition.excluded.map(({ contentHash, imageId, datasetId, reason }) => ({ contentHash, imageId, datasetId, reason })),
    counts: composition.counts,
    warnings: composition.warnings,
  }
}

/** An image of the export that this workstation's library does not hold. */
export interface MissingImage {
  contentHash: string
  imageId: string
  datasetId: string
  split: Split
}

/** The rebuilt composition, or the list of images that prevent it. */
export type ImportResult =
  | { ok: true; composition: Composition; warnings: string[] }
  | { ok: false; missing: MissingImage[]; message: string }

/**
 * Rebuild an exported composition from this workstation's images, matching by content hash (preferring the
 * same dataset id and image id when one hash has several copies). The splits are taken from the file, not
 * recomputed, so the sets are the exported ones exactly.
 * A missing assigned image makes the import fail with the list of missing hashes (a model trained on a
 * different set would not be the same experiment); missing excluded images only produce a warning.
 * @param file the export, as parsed JSON or as a JSON string.
 * @param images this workstation's images.
 * @throws CompositionError `invalid-export` when the file is not a composition export.
 */
export function importComposition(file: unknown, images: readonly ImageRecord[]): ImportResult {
  const data = parseExport(file)
  const index = new Map<string, ImageRecord[]>()
  for (const image of images) {
    const copies = index.get(image.contentHash) ?? []
    copies.push(image)
    index.set(image.contentHash, copies)
  }
  const used = new Set<ImageRecord>()
  const match = (wanted: { contentHash: string; imageId: string; datasetId: string }): ImageRecord | undefined => {
    const free = (index.get(wanted.contentHash) ?? []).filter((image) => !used.has(image))
    const found =
      free.find((image) => image.datasetId === wanted.datasetId && image.imageId === wanted.imageId) ??
      free.find((image) => image.datasetId === wanted.datasetId) ??
      free[0]
    if (found) used.add(found)
    return found
  }

  const warnings: string[] = []
  const missing: MissingImage[] = []
  const assignments: ImageAssignment[] = []
  for (const entry of data.images) {
    const image = match(entry)
    if (!image) {
      missing.push({ contentHash: entry.contentHash, imageId: entry.imageId, datasetId: entry.datasetId, split: entry.split })
      continue
    }
    if (image.datasetId !== entry.datasetId) {
      warnings.push(`Image ${entry.contentHash} was in dataset "${entry.datasetId}" and is here in "${image.datasetId}".`)
    }
    const assignment: ImageAssignment = {
      imageId: image.imageId,
      datasetId: image.datasetId,
      patientId: image.patientId,
      contentHash: image.contentHash,
      label: image.label,
      binaryLabel: entry.binaryLabel,
      split: entry.split,
      source: entry.source,
    }
    if (image.view !== undefined) assignment.view = image.view
    assignments.push(assignment)
  }
  if (missing.length > 0) return { ok: false, missing, message: describeMissing(data.spec.name, missing) }

  const excluded: ExcludedImage[] = []
  let missingExcluded = 0
  for (const entry of data.excluded) {
    const image = match(entry)
    if (!image) {
      missingExcluded += 1
      continue
    }
    const exclusion: ExcludedImage = {
      imageId: image.imageId,
      datasetId: image.datasetId,
      patientId: image.patientId,
      contentHash: image.contentHash,
      label: image.label,
      reason: entry.reason,
    }
    if (image.view !== undefined) exclusion.view = image.view
    excluded.push(exclusion)
  }
  if (missingExcluded > 0) warnings.push(`${missingExcluded} excluded image(s) of the export are not in this library (not needed to rebuild the sets).`)

  const counts = countComposition(assignments.sort(compareAssignments), data.counts.datasetIds)
  if (JSON.stringify(counts) !== JSON.stringify(data.counts)) warnings.push('The rebuilt counts differ from the exported counts.')
  return {
    ok: true,
    composition: { spec: data.spec, seed: data.seed, algorithm: data.algorithm, assignments, excluded, counts, warnings: data.warnings },
    warnings,
  }
}

function parseExport(file: unknown): CompositionExport {
  let value = file
  if (typeof file === 'string') {
    try {
      value = parseJsonText(file, 'The composition file')
    } catch (error) {
      throw new CompositionError('invalid-export', (error as Error).message)
    }
  }
  const parsed = CompositionExportSchema.safeParse(value)
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`)
    throw new CompositionError('invalid-export', `Not a composition export: ${problems.join('; ')}.`, problems)
  }
  return parsed.data
}

/** One readable sentence: how many, per dataset and split, and the first hashes to look for. */
function describeMissing(name: string, missing: readonly MissingImage[]): string {
  const byDataset = new Map<string, Map<Split, number>>()
  for (const image of missing) {
    const splits = byDataset.get(image.datasetId) ?? new Map<Split, number>()
    splits.set(image.split, (splits.get(image.split) ?? 0) + 1)
    byDataset.set(image.datasetId, splits)
  }
  const parts = [...byDataset].map(([datasetId, splits]) => {
    const total = [...splits.values()].reduce((sum, count) => sum + count, 0)
    return `"${datasetId}" ${total} (${[...splits].map(([split, count]) => `${split} ${count}`).join(', ')})`
  })
  const hashes = missing.slice(0, 5).map((image) => image.contentHash)
  return (
    `${missing.length} image(s) of composition "${name}" are not in this library: ${parts.join('; ')}. ` +
    `Import them (matched by content hash) and retry. Missing hashes: ${hashes.join(', ')}${missing.length > 5 ? ', …' : ''}.`
  )
}
