import { DATASET_ROLES, PAPER_PRESET_NAMES, PAPER_PRESET_ROLES, paperPresets, type DatasetRole, type DatasetRoles, type PaperPresetName } from '@shared/datasets'
import { BalanceModeSchema, LabelTargetSchema, type CompositionSpecInput, type LabelTarget } from '@shared/datasets/types'
import type { DatasetSummary } from '@shared/library/summaries'
import { UsageError } from '../command'
import { splitPair } from './args'

/**
 * `cxr compose` recipes from flags: a paper preset with its roles, or a custom recipe, plus the overrides the
 * composition builder offers (seed, fractions, label mapping). Label mappings follow the builder: a preset
 * brings its vocabulary, custom recipes start empty, and every label a dataset has must end up mapped; the
 * error then lists the `--map` flags to add rather than guessing what a label means.
 */

/** Overrides that apply to any recipe. */
export interface RecipeOverrides {
  seed?: number
  testFraction?: number
  validationFraction?: number
  name?: string
  /** `DATASET:LABEL=TARGET` or `LABEL=TARGET` (every dataset of the recipe having that label). */
  maps: string[]
  /** Saved composition ids whose patients and images the recipe must leave out (added to the recipe's own). */
  disjointFrom?: string[]
}

/**
 * The spec of a paper preset.
 * @param name the preset, as typed.
 * @param roleFlags `ROLE=DATASET_ID`, as typed.
 * @returns the spec and the role assignment (printed with the counts).
 * @throws UsageError for an unknown preset or role, or a missing or superfluous role.
 */
export function presetSpec(name: string, roleFlags: string[]): { spec: CompositionSpecInput; roles: DatasetRoles } {
  if (!(PAPER_PRESET_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`unknown preset '${name}'; the paper's presets: ${PAPER_PRESET_NAMES.join(', ')}`)
  }
  const preset = name as PaperPresetName
  const roles: DatasetRoles = {}
  for (const flag of roleFlags) {
    const [role, id] = splitPair('role', flag, 'ROLE=DATASET_ID')
    if (!(DATASET_ROLES as readonly string[]).includes(role)) throw new UsageError(`unknown role '${role}'; roles: ${DATASET_ROLES.join(', ')}`)
    if (!PAPER_PRESET_ROLES[preset].includes(role as DatasetRole)) throw new UsageError(`preset ${preset} uses role(s) ${PAPER_PRESET_ROLES[preset].join(', ')}, not ${role}`)
    roles[role as DatasetRole] = id
  }
  const missing = PAPER_PRESET_ROLES[preset].filter((role) => !roles[role])
  if (missing.length) throw new UsageError(`preset ${preset} needs --role ${missing.map((role) => `${role}=DATASET_ID`).join(' --role ')}`)
  return { spec: paperPresets[preset](roles), roles }
}

/**
 * A custom recipe's spec (label mapping empty: filled by `--map`).
 * @param primary primary dataset ids (a flag may list several, comma-separated).
 * @param borrow borrow dataset ids.
 * @param balance the balance mode as typed; `borrow` when borrowing, else `subsample`, as the builder defaults.
 */
export function customSpec(primary: string[], borrow: string[], balance: string | undefined): CompositionSpecInput {
  const mode = balance ?? (borrow.length ? 'borrow' : 'subsample')
  const parsed = BalanceModeSchema.safeParse(mode)
  if (!parsed.success) throw new UsageError(`--balance must be borrow, subsample or none, got '${mode}'`)
  return { name: 'custom composition', primary: splitIds(primary), borrow: splitIds(borrow), balance: parsed.data, labelMapping: {} }
}

/**
 * Apply the overrides and check the recipe against the library: its datasets exist and every one of their labels
 * is mapped.
 * @param base the recipe.
 * @param overrides seed, fractions, name and `--map` flags.
 * @param datasets the library's datasets.
 * @throws UsageError for a malformed `--map`; Error naming unknown datasets or unmapped labels.
 */
export function applyOverrides(base: CompositionSpecInput, overrides: RecipeOverrides, datasets: DatasetSummary[]): CompositionSpecInput {
  const spec: CompositionSpecInput = {
    ...base,
    ...(overrides.name ? { name: overrides.name } : {}),
    ...(overrides.seed !== undefined ? { seed: overrides.seed } : {}),
    ...(overrides.testFraction !== undefined ? { testFraction: overrides.testFraction } : {}),
    ...(overrides.validationFraction !== undefined ? { validationFraction: overrides.validationFraction } : {}),
    ...(overrides.disjointFrom?.length ? { disjointFrom: [...new Set([...(base.disjointFrom ?? []), ...overrides.disjointFrom])] } : {}),
  }
  const ids = [...new Set([...(spec.primary ?? []), ...(spec.borrow ?? [])])]
  const known = new Map(datasets.map((d) => [d.id, d]))
  const unknown = ids.filter((id) => !known.has(id))
  if (unknown.length) {
    throw new Error(
      `no dataset ${unknown.map((id) => `"${id}"`).join(', ')} in the library (datasets: ${datasets.map((d) => d.id).join(', ') || 'none; import one with cxr import'})`,
    )
  }
  const mapping: Record<string, Record<string, LabelTarget>> = {}
  for (const id of ids) mapping[id] = { ...(spec.labelMapping?.[id] ?? {}) }
  for (const flag of overrides.maps) {
    const at = flag.lastIndexOf('=')
    if (at <= 0) throw new UsageError(`--map must be DATASET:LABEL=positive|negative|exclude (or LABEL=…), got '${flag}'`)
    const target = LabelTargetSchema.safeParse(flag.slice(at + 1).trim())
    if (!target.success) throw new UsageError(`--map ${flag}: the target must be positive, negative or exclude`)
    const left = flag.slice(0, at)
    const colon = left.indexOf(':')
    const scoped = colon > 0 && ids.includes(left.slice(0, colon))
    const label = scoped ? left.slice(colon + 1) : left
    const targets = scoped ? [left.slice(0, colon)] : ids.filter((id) => Object.hasOwn(known.get(id)!.classCounts, label))
    if (targets.length === 0) {
      throw new UsageError(`--map ${flag}: no dataset of the recipe has the label '${label}' (labels: ${ids.map((id) => `${id}: ${Object.keys(known.get(id)!.classCounts).join(', ')}`).join('; ')})`)
    }
    for (const id of targets) mapping[id][label] = target.data
  }
  const unmapped = ids.flatMap((id) =>
    Object.entries(known.get(id)!.classCounts)
      .filter(([label]) => !Object.hasOwn(mapping[id], label))
      .map(([label, count]) => ({ id, label, count })),
  )
  if (unmapped.length) {
    throw new Error(
      `say what these labels mean for COVID±: ${unmapped.map((u) => `${u.id} "${u.label}" (${u.count} images)`).join(', ')}; add ` +
        unmapped.map((u) => `--map '${u.id}:${u.label}=positive|negative|exclude'`).join(' '),
    )
  }
  return { ...spec, labelMapping: mapping }
}

/** `a,b` → `['a', 'b']`, so `--primary a,b` and `--primary a --primary b` mean the same. */
function splitIds(values: string[]): string[] {
  return values.flatMap((value) => value.split(',')).map((id) => id.trim()).filter(Boolean)
}
