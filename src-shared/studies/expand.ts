import { RunConfigSchema, type Architecture, type Preprocessing, type RunConfig } from '../runs/config'
import type { StudyCell, StudySlot, StudyTestSetInfo } from './record'
import type { StudyPretraining, StudySpec } from './spec'

/** A study that cannot be expanded or run, with a message naming the composition, dataset or field at fault. */
export class StudyError extends Error {
  override name = 'StudyError'
}

/** What expansion needs to know about the library: names (for tables and run names) and which compositions are test-only. */
export interface ExpansionContext {
  /** The saved composition's name; throws (or returns undefined) for an unknown id. */
  compositionName(compositionId: string): string | undefined
  /** True when every image of the composition is test (an external test set). */
  isTestOnly(compositionId: string): boolean
  /** A dataset's name for pre-training labels (its id when absent). */
  datasetName?(datasetId: string): string | undefined
}

/** The grid a study expands into. */
export interface StudyExpansion {
  cells: StudyCell[]
  slots: StudySlot[]
  testSets: StudyTestSetInfo[]
}

/** How tables name the architectures (as the paper writes them). */
export const ARCHITECTURE_LABELS: Record<Architecture, string> = { resnet18: 'ResNet-18', resnet50: 'ResNet-50', conv8: 'Conv8', covidnet: 'COVID-Net' }

/** How tables name the input preprocessing. */
export const PREPROCESSING_LABELS: Record<Preprocessing, string> = { full: 'full preprocessing', equalize: 'equalized only', raw: 'raw pixels' }

/** "none", or the level's label, or "pre-trained on <datasets>". */
export function pretrainingLabel(level: StudyPretraining, datasetName: (id: string) => string = (id) => id): string {
  if (level.label) return level.label
  if (level.pretraining.kind === 'none') return 'no pre-training'
  return `pre-trained on ${level.pretraining.datasetIds.map(datasetName).join(' + ')}`
}

/** The key of a cell: the indices of its levels, stable for a given spec. */
function cellKeyOf(architecture: Architecture, preprocessing: Preprocessing, pretrainingIndex: number, compositionId: string): string {
  return `${architecture}/${preprocessing}/p${pretrainingIndex}/${compositionId}`
}

/**
 * Expands a study into its cells (architecture × preprocessing × pre-training × training composition, in the spec's
 * order), one run slot per cell and seed, and its test sets (each training composition's test split, then the listed
 * ones). Slots are ordered seed by seed — every cell's first seed, then every cell's second — so a study stopped
 * half-way already has one model per cell. Each slot carries its complete, validated run configuration.
 * @throws StudyError naming an unknown composition, a test-only composition listed for training, or a run setting
 *   the run configuration refuses.
 */
export function expandStudy(spec: StudySpec, context: ExpansionContext): StudyExpansion {
  const name = (compositionId: string, role: string) => {
    const found = context.compositionName(compositionId)
    if (found === undefined) throw new StudyError(`${role} "${compositionId}" is not a saved composition: compose and save it first (Datasets page, or cxr compose --save)`)
    return found
  }
  const datasetName = (id: string) => context.datasetName?.(id) ?? id
  for (const set of spec.compositions) {
    if (context.isTestOnly(set.compositionId)) {
      throw new StudyError(`"${name(set.compositionId, 'the training composition')}" is an external test set (every image is test): nothing can be trained on it; list it under testSets`)
    }
  }
  const cells: StudyCell[] = []
  const several = { architectures: spec.architectures.length > 1, preprocessing: spec.preprocessing.length > 1 || spec.preprocessing[0] !== 'full' }
  for (const architecture of spec.architectures) {
    for (const preprocessing of spec.preprocessing) {
      spec.pretraining.forEach((level, pretrainingIndex) => {
        for (const set of spec.compositions) {
          const compositionName = name(set.compositionId, 'the training composition')
          const levelLabel = pretrainingLabel(level, datasetName)
          const parts = [ARCHITECTURE_LABELS[architecture], ...(several.preprocessing ? [PREPROCESSING_LABELS[preprocessing]] : []), levelLabel, `trained on ${compositionName}`]
          cells.push({
            key: cellKeyOf(architecture, preprocessing, pretrainingIndex, set.compositionId),
            architecture,
            preprocessing,
            pretrainingIndex,
            pretrainingLabel: levelLabel,
            paperPretraining: level.paper ?? null,
            compositionId: set.compositionId,
            compositionName,
            paperComposition: set.paper ?? null,
            label: parts.join(', '),
          })
        }
      })
    }
  }
  const slots: StudySlot[] = []
  for (const seed of spec.seeds) {
    for (const cell of cells) {
      slots.push({ key: `${cell.key}/seed${seed}`, cellKey: cell.key, seed, config: runConfigOf(spec, cell, seed), runId: null, retry: false })
    }
  }
  const testSets: StudyTestSetInfo[] = [
    ...spec.compositions.map((set) => ({ compositionId: set.compositionId, name: name(set.compositionId, 'the training composition'), testOnly: false, trainedOn: true, paper: set.paper ?? null })),
    ...spec.testSets.map((set) => ({
      compositionId: set.compositionId,
      name: name(set.compositionId, 'the test set'),
      testOnly: context.isTestOnly(set.compositionId),
      trainedOn: false,
      paper: set.paper ?? null,
    })),
  ]
  return { cells, slots, testSets }
}

/** A slot's run configuration: the study's shared training settings with the cell's levels and the seed. */
function runConfigOf(spec: StudySpec, cell: StudyCell, seed: number): RunConfig {
  const parsed = RunConfigSchema.safeParse({
    ...spec.training,
    name: `${spec.name}: ${cell.label}, seed ${seed}`,
    architecture: cell.architecture,
    preprocessing: cell.preprocessing,
    pretraining: spec.pretraining[cell.pretrainingIndex].pretraining,
    compositionId: cell.compositionId,
    seed,
  })
  if (!parsed.success) throw new StudyError(`the run of ${cell.label} with seed ${seed} is not a valid run: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`)
  return parsed.data
}

/** The slots of a cell, in seed order. */
export function slotsOfCell(slots: readonly StudySlot[], cellKey: string): StudySlot[] {
  return slots.filter((slot) => slot.cellKey === cellKey).sort((a, b) => a.seed - b.seed)
}
