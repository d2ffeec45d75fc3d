import { balanceTrainingSet, countClasses } from './balance'
import { drawNegatives } from './borrow'
import { countComposition } from './counts'
import { CompositionError } from './errors'
import { applyLabelMapping, excludedImage } from './labels'
import { checkLeakage } from './leakage'
import { deriveSeed } from './random'
import { splitByPatient } from './splitByPatient'
import type { StratumSplit } from './splitByPatient'
import { isTestOnly, SPLITS } from './types'
import type { Composition, CompositionSpec, CompositionSpecInput, ExcludedImage, ImageAssignment, ImageRecord, LabeledImage, Split } from './types'
import { checkSpecDatasets, parseCompositionSpec } from './validateSpec'

/** Version of the rules below; exported with every composition so a rebuild states which rules made the sets. */
export const COMPOSITION_ALGORITHM = 'cxr-composition/1'

/** Saved compositions a spec's `disjointFrom` names, by id: their name (for messages) and their images. */
export type DisjointCompositions = ReadonlyMap<string, { name: string; assignments: readonly Pick<ImageAssignment, 'datasetId' | 'patientId' | 'contentHash'>[] }>

/**
 * Build a composed dataset (one row group of Table I) from library images.
 *
 * Steps, each a documented pure function:
 * 1. Parse the spec and check it against the images ({@link parseCompositionSpec}, {@link checkSpecDatasets}).
 * 2. Map labels to COVID± and apply view filters ({@link applyLabelMapping}); an identical image present in two
 *    datasets is kept in the first (primary datasets in spec order, then borrow datasets) so it cannot sit on
 *    two sides.
 * 3. Each primary dataset on its own: test = `testFraction` (or its test policy), then validation =
 *    `validationFraction` of the rest, both by patient and stratified by COVID± ({@link splitByPatient}).
 *    Splitting per dataset reproduces Table I (CORDA 90/45 test beside COVID-ChestXRay 10/5) and keeps a
 *    dataset's split independent of what it is composed with.
 * 4. `borrow`: the test and validation splits get borrowed COVID− images up to their COVID+ count (Table I:
 *    test 90 COVID+ / 45 + 45 COVID−), drawn by patient from the borrow datasets ({@link drawNegatives}); then
 *    the training split is balanced ({@link balanceTrainingSet}). `subsample` / `none` touch training only.
 * 5. Count (Table I shape) and prove the result leak-free ({@link checkLeakage}).
 * A test-only spec (test share 1, an external test set) puts every primary image in test (borrowing, when asked,
 * lends COVID− images to that test set); it may hold one class only, with a warning, since specificity alone is
 * still worth measuring on an all-COVID− collection. With `disjointFrom`, images of the named compositions'
 * patients (and identical images) are left out first.
 * @param specInput the recipe, as written or as exported.
 * @param records library images; images of datasets outside the spec are ignored.
 * @param others the compositions `disjointFrom` names (required when it names any).
 * @throws CompositionError with a code naming the problem (see {@link CompositionError}).
 */
export function composeDataset(specInput: CompositionSpecInput | CompositionSpec, records: readonly ImageRecord[], others: DisjointCompositions = new Map()): Composition {
  const spec = parseCompositionSpec(specInput)
  checkSpecDatasets(spec, records)
  const testOnly = isTestOnly(spec)
  const warnings: string[] = []
  const labeling = applyLabelMapping(records, spec)
  const excluded: ExcludedImage[] = [...labeling.excluded]
  const candidates = dropCrossDatasetDuplicates(dropOtherCompositions(labeling.labeled, spec, others, excluded, warnings), spec, excluded)
  checkBothClasses(spec, candidates, testOnly, warnings)

  const splits: Record<Split, LabeledImage[]> = { train: [], validation: [], test: [] }
  for (const datasetId of spec.primary) {
    const images = candidates.filter((image) => image.datasetId === datasetId)
    if (images.length === 0) {
      warnings.push(`Primary dataset "${datasetId}" has no images left after the label mapping and view filter.`)
      continue
    }
    if (testOnly) {
      splits.test.push(...images)
      continue
    }
    const test = splitTest(spec, datasetId, images)
    const validation = splitByPatient(test.remaining, {
      fraction: spec.validationFraction,
      seed: deriveSeed(spec.seed, `validation/${datasetId}`),
      classOf: (image) => image.binaryLabel,
    })
    warnStrata(warnings, datasetId, 'test', test.strata)
    warnStrata(warnings, datasetId, 'validation', validation.strata)
    splits.test.push(...test.heldOut)
    splits.validation.push(...validation.heldOut)
    splits.train.push(...validation.remaining)
  }

  const borrowed = new Set<LabeledImage>()
  let pool = candidates.filter((image) => spec.borrow.includes(image.datasetId))
  if (spec.balance === 'borrow') {
    for (const split of testOnly ? (['test'] as const) : (['test', 'validation'] as const)) {
      const counts = countClasses(splits[split])
      const draw = drawNegatives(pool, counts.positive - counts.negative, deriveSeed(spec.seed, `borrow/${split}`))
      if (draw.shortfall > 0) warnings.push(`The borrow pool lacked ${draw.shortfall} COVID− image(s) to balance the ${split} split.`)
      for (const image of draw.drawn) borrowed.add(image)
      splits[split].push(...draw.drawn)
      pool = draw.rest
    }
  }
  if (!testOnly) {
    const balanced = balanceTrainingSet(splits.train, { mode: spec.balance, borrowPool: pool, seed: spec.seed })
    if (balanced.shortfall > 0) {
      warnings.push(`The borrow pool lacked ${balanced.shortfall} COVID− image(s) for training; COVID+ training images were subsampled instead.`)
    }
    for (const image of balanced.borrowed) borrowed.add(image)
    for (const image of balanced.dropped) excluded.push(excludedImage(image, 'balance-subsampled'))
    splits.train = balanced.train
  }

  const assignments = SPLITS.flatMap((split) =>
    splits[split].map((image) => toAssignment(image, split, borrowed.has(image) ? 'borrowed' : 'primary')),
  ).sort(compareAssignments)
  const counts = countComposition(assignments, [...spec.primary, ...spec.borrow])
  for (const row of counts.rows) {
    // A test-only set has no training or validation side to warn about, and its one-class case is said above.
    if (testOnly) continue
    for (const label of ['positive', 'negative'] as const) {
      if (row.total[label] === 0) warnings.push(`The ${row.split} split has no COVID${label === 'positive' ? '+' : '−'} images.`)
    }
  }
  const composition: Composition = {
    spec,
    seed: spec.seed,
    algorithm: COMPOSITION_ALGORITHM,
    assignments,
    excluded: excluded.sort((a, b) => compareKeys(`${a.datasetId}/${a.imageId}`, `${b.datasetId}/${b.imageId}`)),
    counts,
    warnings,
  }
  // Leak-free by construction; the check turns a future bug into an error instead of an optimistic AUC.
  const leakage = checkLeakage(composition)
  if (!leakage.ok) throw new Error(`Internal error: composition "${spec.name}" leaks (${JSON.stringify(leakage).slice(0, 300)})`)
  return composition
}

/** The test split of one primary dataset, by fraction or by its test policy. */
function splitTest(spec: CompositionSpec, datasetId: string, images: LabeledImage[]) {
  const policy = spec.testPolicy?.[datasetId]
  const classOf = (image: LabeledImage) => image.binaryLabel
  const seed = deriveSeed(spec.seed, `test/${datasetId}`)
  if (!policy) return splitByPatient(images, { fraction: spec.testFraction, seed, classOf })
  if (policy.kind === 'count') {
    try {
      return splitByPatient(images, { seed, classOf, heldOutCounts: { positive: policy.positive, negative: policy.negative } })
    } catch (error) {
      if (!(error instanceof CompositionError)) throw error
      throw new CompositionError('invalid-test-policy', `Test policy of dataset "${datasetId}": ${error.message}`, error.details)
    }
  }
  const listed = new Set(policy.contentHashes)
  const present = new Set(images.map((image) => image.contentHash))
  const missing = [...listed].filter((hash) => !present.has(hash))
  if (missing.length > 0) {
    throw new CompositionError(
      'missing-test-images',
      `Test policy of dataset "${datasetId}" lists ${missing.length} image(s) not among its labelled images: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}.`,
      missing,
    )
  }
  const classes = [...new Set(images.map(classOf))]
  return splitByPatient(images, {
    seed,
    classOf,
    heldOutCounts: Object.fromEntries(classes.map((label) => [label, 0])),
    mustHoldOut: (image) => listed.has(image.contentHash),
  })
}

/** Keep each content hash in one dataset only: the first primary dataset in spec order, then the borrow datasets. */
function dropCrossDatasetDuplicates(images: LabeledImage[], spec: CompositionSpec, excluded: ExcludedImage[]): LabeledImage[] {
  const rank = new Map([...spec.primary, ...spec.borrow].map((id, index) => [id, index]))
  const owner = new Map<string, string>()
  for (const image of images) {
    const current = owner.get(image.contentHash)
    if (current === undefined || (rank.get(image.datasetId) ?? 0) < (rank.get(current) ?? 0)) owner.set(image.contentHash, image.datasetId)
  }
  return images.filter((image) => {
    if (owner.get(image.contentHash) === image.datasetId) return true
    excluded.push(excludedImage(image, 'duplicate-content'))
    return false
  })
}

/**
 * Leaves out the images of patients (dataset + patient id) and the identical images found in the compositions the
 * spec must be disjoint from.
 */
function dropOtherCompositions(images: LabeledImage[], spec: CompositionSpec, others: DisjointCompositions, excluded: ExcludedImage[], warnings: string[]): LabeledImage[] {
  const named = spec.disjointFrom ?? []
  if (named.length === 0) return images
  const missing = named.filter((id) => !others.has(id))
  if (missing.length > 0) {
    throw new CompositionError(
      'invalid-spec',
      `Composition "${spec.name}" must be kept apart from composition(s) ${missing.map((id) => `"${id}"`).join(', ')}, which are not saved in this library: save them first, or remove them from disjointFrom.`,
      missing,
    )
  }
  const patients = new Set<string>()
  const hashes = new Set<string>()
  for (const id of named) {
    for (const assignment of others.get(id)!.assignments) {
      patients.add(`${assignment.datasetId}\u0000${assignment.patientId}`)
      hashes.add(assignment.contentHash)
    }
  }
  const kept = images.filter((image) => {
    if (!patients.has(`${image.datasetId}\u0000${image.patientId}`) && !hashes.has(image.contentHash)) return true
    excluded.push(excludedImage(image, 'in-other-composition'))
    return false
  })
  const left = images.length - kept.length
  if (left > 0) warnings.push(`${left} image(s) left out: their patients (or identical images) are in ${named.map((id) => `"${others.get(id)!.name}"`).join(', ')}.`)
  return kept
}

/** A composition needs both classes, or there is nothing to classify; a test-only one may measure one class. */
function checkBothClasses(spec: CompositionSpec, images: readonly LabeledImage[], testOnly: boolean, warnings: string[]): void {
  const counts = countClasses(images)
  if (counts.positive > 0 && counts.negative > 0) return
  if (testOnly && counts.positive + counts.negative > 0) {
    warnings.push(
      counts.positive > 0
        ? `Only COVID+ images (${counts.positive}): on this test set sensitivity can be measured, specificity and AUC cannot.`
        : `Only COVID− images (${counts.negative}): on this test set specificity can be measured (how many a model calls COVID+ wrongly), sensitivity and AUC cannot.`,
    )
    return
  }
  const present = counts.positive > 0 ? `only COVID+ images (${counts.positive})` : `only COVID− images (${counts.negative})`
  const hint = counts.positive > 0 ? 'map some labels to "negative" or borrow negatives' : 'map some labels to "positive"'
  throw new CompositionError('single-class', `Composition "${spec.name}" has ${present} after the label mapping: ${hint}.`, [
    counts.positive > 0 ? 'positive' : 'negative',
  ])
}

/** A class whose split missed its target (patients too large to hit it) is worth a line in the report. */
function warnStrata(warnings: string[], datasetId: string, split: Split, strata: readonly StratumSplit[]): void {
  for (const stratum of strata) {
    if (stratum.achieved !== stratum.target) {
      warnings.push(
        `Dataset "${datasetId}" ${split} split, COVID${stratum.stratum === 'positive' ? '+' : '−'}: ${stratum.achieved} images instead of ${stratum.target} (whole patients only).`,
      )
    }
  }
}

function toAssignment(image: LabeledImage, split: Split, source: ImageAssignment['source']): ImageAssignment {
  const assignment: ImageAssignment = {
    imageId: image.imageId,
    datasetId: image.datasetId,
    patientId: image.patientId,
    contentHash: image.contentHash,
    label: image.label,
    binaryLabel: image.binaryLabel,
    split,
    source,
  }
  if (image.view !== undefined) assignment.view = image.view
  return assignment
}

/**
 * Canonical order of assignments: split (train, validation, test), dataset, image id. Exports and rebuilt
 * compositions use it, so equal compositions are equal arrays.
 * @param a one assignment.
 * @param b another.
 */
export function compareAssignments(a: ImageAssignment, b: ImageAssignment): number {
  return (
    SPLITS.indexOf(a.split) - SPLITS.indexOf(b.split) ||
    compareKeys(a.datasetId, b.datasetId) ||
    compareKeys(a.imageId, b.imageId) ||
    compareKeys(a.contentHash, b.contentHash)
  )
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
