import { CompositionError } from './errors'
import { CompositionSpecSchema, isTestOnly } from './types'
import type { CompositionSpec, ImageRecord } from './types'

/**
 * Parse and check a composition spec on its own (no images needed), so the UI can validate a recipe as it is
 * typed. Checks beyond the schema: a dataset is primary or borrowed, not both; borrowing needs borrow datasets
 * and vice versa; every dataset has a label mapping and borrowed datasets map nothing to COVID+ (they lend
 * negatives only); test policies and view filters name datasets of the spec.
 * @param input the spec as written (defaults not yet applied), e.g. parsed JSON or an IPC payload.
 * @throws CompositionError `invalid-fraction` for a fraction outside (0, 1), `invalid-spec` otherwise.
 */
export function parseCompositionSpec(input: unknown): CompositionSpec {
  const parsed = CompositionSpecSchema.safeParse(input)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(spec)'}: ${issue.message}`)
    const fractionOnly = parsed.error.issues.every((issue) => issue.path[0] === 'testFraction' || issue.path[0] === 'validationFraction')
    throw new CompositionError(fractionOnly ? 'invalid-fraction' : 'invalid-spec', `Invalid composition spec: ${problems.join('; ')}.`, problems)
  }
  const spec = parsed.data
  const problems: string[] = []
  const datasets = [...spec.primary, ...spec.borrow]
  for (const id of new Set(datasets.filter((id, index) => datasets.indexOf(id) !== index))) {
    problems.push(`dataset "${id}" is listed more than once (a dataset is either primary or borrowed)`)
  }
  if (spec.balance === 'borrow' && spec.borrow.length === 0) problems.push(`balance "borrow" needs at least one borrow dataset`)
  if (spec.balance !== 'borrow' && spec.borrow.length > 0) {
    problems.push(`borrow datasets (${spec.borrow.join(', ')}) are only used with balance "borrow", not "${spec.balance}"`)
  }
  for (const id of datasets) if (!spec.labelMapping[id]) problems.push(`dataset "${id}" has no label mapping`)
  for (const id of Object.keys(spec.labelMapping)) {
    if (!datasets.includes(id)) problems.push(`label mapping names dataset "${id}", which is neither primary nor borrowed`)
  }
  for (const id of spec.borrow) {
    for (const [label, target] of Object.entries(spec.labelMapping[id] ?? {})) {
      if (target === 'positive') problems.push(`borrow dataset "${id}" maps label "${label}" to COVID+; only COVID− images can be borrowed`)
    }
  }
  for (const id of Object.keys(spec.testPolicy ?? {})) {
    if (!spec.primary.includes(id)) problems.push(`test policy names dataset "${id}", which is not primary`)
  }
  for (const id of Object.keys(spec.views ?? {})) {
    if (!datasets.includes(id)) problems.push(`view filter names dataset "${id}", which is not in the composition`)
  }
  if (isTestOnly(spec)) {
    if (spec.testPolicy && Object.keys(spec.testPolicy).length > 0) problems.push('a test-only composition (test share 1) puts every image in test: a test policy does not apply')
    if (spec.balance === 'subsample') problems.push('a test-only composition has no training set to subsample: balance it with "none", or "borrow" to lend COVID− images to its test set')
  }
  const disjoint = spec.disjointFrom ?? []
  for (const id of new Set(disjoint.filter((id, index) => disjoint.indexOf(id) !== index))) problems.push(`composition "${id}" is listed twice under disjointFrom`)
  if (problems.length > 0) {
    throw new CompositionError('invalid-spec', `Composition "${spec.name}": ${problems.join('; ')}.`, problems)
  }
  return spec
}

/**
 * Check that the images can feed the spec: there are images, and every dataset the spec names has some.
 * @param spec a parsed spec.
 * @param records the images offered.
 * @throws CompositionError `empty-input`, or `unknown-dataset` naming the missing dataset ids.
 */
export function checkSpecDatasets(spec: CompositionSpec, records: readonly ImageRecord[]): void {
  if (records.length === 0) {
    throw new CompositionError('empty-input', `Composition "${spec.name}" was given no images.`)
  }
  const present = new Set(records.map((record) => record.datasetId))
  const unknown = [...spec.primary, ...spec.borrow].filter((id) => !present.has(id))
  if (unknown.length > 0) {
    throw new CompositionError(
      'unknown-dataset',
      `Composition "${spec.name}" names dataset(s) with no images: ${unknown.map((id) => `"${id}"`).join(', ')} ` +
        `(datasets present: ${[...present].sort().join(', ')}).`,
      unknown,
    )
  }
}
