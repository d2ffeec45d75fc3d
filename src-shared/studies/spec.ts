import { z } from 'zod'
import { PAPER_PRESET_NAMES } from '../datasets/presets'
import { ArchitectureSchema, PreprocessingSchema, PretrainingSchema, RunConfigFieldsSchema } from '../runs/config'

/*
 * A study: the paper's grid as one job (Tables II–IV). Every object is strict, as run configurations are: a
 * misspelt "seeds" in a study file must not run one seed while the file says three.
 */

/** A dataset of the paper by the name its tables use (Table I's compositions). */
export const PaperDatasetSchema = z.enum(PAPER_PRESET_NAMES)
/** A dataset of the paper by the name its tables use. */
export type PaperDataset = z.infer<typeof PaperDatasetSchema>

/** The paper's pre-training choices (Tables II and III, "Pre-trained encoder" column). */
export const PaperPretrainingSchema = z.enum(['none', 'ChestXRay', 'RSNA'])
/** One of the paper's pre-training choices. */
export type PaperPretraining = z.infer<typeof PaperPretrainingSchema>

/**
 * One pre-training level of the grid. Each seed's run pre-trains its own encoder (`train`), so the spread over seeds
 * includes pre-training; reusing one run's encoder for every seed would hide it, so `run` is not offered here.
 * `paper` says which of the paper's choices this level is, so the paper's numbers can be shown beside ours; it is
 * stated, never guessed from a dataset's name.
 */
export const StudyPretrainingSchema = z.strictObject({
  /** How tables name this level; default "none" or the pre-training datasets. */
  label: z.string().min(1).optional(),
  pretraining: PretrainingSchema.refine((choice) => choice.kind !== 'run', {
    error: 'a study pre-trains each seed itself ("train") or not at all ("none"): reusing one run\'s encoder ("run") would tie every seed to one pre-training',
  }),
  paper: PaperPretrainingSchema.optional(),
})
/** One pre-training level of the grid. */
export type StudyPretraining = z.infer<typeof StudyPretrainingSchema>

/** A saved composition the grid trains on (its train and validation splits; its test split is always a test set). */
export const StudyTrainingSetSchema = z.strictObject({
  compositionId: z.string().min(1),
  /** The paper's name for this composition, when it is one of Table I's. */
  paper: PaperDatasetSchema.optional(),
})
/** A saved composition the grid trains on. */
export type StudyTrainingSet = z.infer<typeof StudyTrainingSetSchema>

/**
 * A further test set: the test split of another saved composition, or a test-only composition (an external
 * collection, every image test). The training compositions' own test splits are test sets already.
 */
export const StudyTestSetSchema = z.strictObject({
  compositionId: z.string().min(1),
  paper: PaperDatasetSchema.optional(),
})
/** A further test set. */
export type StudyTestSet = z.infer<typeof StudyTestSetSchema>

/** The training settings every run of the study shares (a run configuration without the grid's factors). */
export const StudyTrainingSchema = RunConfigFieldsSchema.omit({ name: true, architecture: true, compositionId: true, pretraining: true, preprocessing: true, seed: true })
/** The training settings every run shares. */
export type StudyTraining = z.infer<typeof StudyTrainingSchema>

/** Metrics a study's comparisons test (each one a member of the family Holm corrects). */
export const ComparisonMetricSchema = z.enum(['auc', 'balancedAccuracy', 'accuracy', 'sensitivity', 'specificity', 'fScore'])

/** How runs are scored: the paper's threshold, the bootstrap of the intervals, the probe and what is compared. */
export const StudyEvaluationSchema = z.strictObject({
  threshold: z.number().gt(0).lt(1).default(0.5),
  /** Bootstrap replicates (by patient) of every interval and comparison. */
  replicates: z.number().int().min(100).max(20_000).default(1000),
  bootstrapSeed: z.number().int().default(20200428),
  /** Train a "which dataset?" probe on each model's features of every test set (when they come from two or more datasets). */
  datasetProbe: z.boolean().default(true),
  /** Metrics compared between cells that differ in one factor (Holm-corrected together across the study). */
  comparisonMetrics: z.array(ComparisonMetricSchema).min(1).default(['auc', 'balancedAccuracy']),
})
/** How a study's runs are scored. */
export type StudyEvaluation = z.infer<typeof StudyEvaluationSchema>

/** Where unique values are required, the first repeated one. */
function firstRepeat<T>(values: readonly T[], key: (value: T) => string = String): string | null {
  const seen = new Set<string>()
  for (const value of values) {
    const k = key(value)
    if (seen.has(k)) return k
    seen.add(k)
  }
  return null
}

/**
 * A study: a named grid of architectures × input preprocessing × pre-training × training compositions, each cell
 * trained with every seed, and every model tested on every test set. Plain JSON: `cxr study run STUDY.json`, the
 * Runs page's study launcher and the study record carry the same object.
 */
export const StudySpecSchema = z
  .strictObject({
    name: z.string().trim().min(1),
    description: z.string().default(''),
    architectures: z.array(ArchitectureSchema).min(1),
    preprocessing: z.array(PreprocessingSchema).min(1).default(['full']),
    /** Pre-training levels; the first is the reference the others are compared with. */
    pretraining: z.array(StudyPretrainingSchema).min(1).default([{ pretraining: { kind: 'none' } }]),
    compositions: z.array(StudyTrainingSetSchema).min(1),
    /** The seeds each cell is trained with (e.g. [1, 2, 3]): the spread over them is the seed-to-seed variability. */
    seeds: z.array(z.number().int()).min(1).max(20),
    testSets: z.array(StudyTestSetSchema).default([]),
    training: StudyTrainingSchema.default(StudyTrainingSchema.parse({})),
    evaluation: StudyEvaluationSchema.default(StudyEvaluationSchema.parse({})),
  })
  .superRefine((spec, context) => {
    const repeats: [string, string | null][] = [
      ['architectures', firstRepeat(spec.architectures)],
      ['preprocessing', firstRepeat(spec.preprocessing)],
      ['seeds', firstRepeat(spec.seeds)],
      ['pretraining', firstRepeat(spec.pretraining, (level) => JSON.stringify(level.pretraining))],
      ['compositions', firstRepeat(spec.compositions, (set) => set.compositionId)],
      ['testSets', firstRepeat(spec.testSets, (set) => set.compositionId)],
    ]
    for (const [path, repeated] of repeats) {
      if (repeated !== null) context.addIssue({ code: 'custom', path: [path], message: `${repeated} is listed twice` })
    }
    const training = new Set(spec.compositions.map((set) => set.compositionId))
    spec.testSets.forEach((set, index) => {
      if (training.has(set.compositionId)) {
        context.addIssue({ code: 'custom', path: ['testSets', index], message: `composition ${set.compositionId} is trained on: its test split is a test set already` })
      }
    })
  })
/** A parsed study specification. */
export type StudySpec = z.infer<typeof StudySpecSchema>
/** A study specification as written (defaults optional). */
export type StudySpecInput = z.input<typeof StudySpecSchema>

/**
 * A study file's problems in words a person can act on, one per issue, with the field: "seeds: 3 is listed twice",
 * "unknown setting "seed" (…)".
 */
export function describeStudyIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = issue.path.map(String).join('.')
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((key) => `"${where ? `${where}.` : ''}${key}"`).join(', ')
      return `unknown setting${issue.keys.length > 1 ? 's' : ''} ${keys} (check the spelling; see the study file's documented settings)`
    }
    return `${where || '(the study)'}: ${issue.message}`
  })
}
