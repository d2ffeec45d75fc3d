import { z } from 'zod'
import { DatasetSeparabilitySchema } from '../evaluation/types'
import { ArchitectureSchema, PreprocessingSchema, RunConfigSchema } from '../runs/config'
import { PaperDatasetSchema, PaperPretrainingSchema, StudySpecSchema } from './spec'

/** One cell of the grid (a row of the study's table): a recipe, trained once per seed. */
export const StudyCellSchema = z.object({
  key: z.string(),
  architecture: ArchitectureSchema,
  preprocessing: PreprocessingSchema,
  /** Index of the pre-training level in the spec. */
  pretrainingIndex: z.number().int().min(0),
  /** "none", or the pre-training datasets' names (or the level's label). */
  pretrainingLabel: z.string(),
  paperPretraining: PaperPretrainingSchema.nullable(),
  compositionId: z.string(),
  compositionName: z.string(),
  paperComposition: PaperDatasetSchema.nullable(),
  /** How tables and sentences name the recipe. */
  label: z.string(),
})
/** One cell of the grid. */
export type StudyCell = z.infer<typeof StudyCellSchema>

/** One run of the grid: a cell with one seed. `runId` is set once the run is started. */
export const StudySlotSchema = z.object({
  key: z.string(),
  cellKey: z.string(),
  seed: z.number().int(),
  config: RunConfigSchema,
  runId: z.string().nullable(),
  /** The user asked to retry this slot's failed run (it is resumed from its checkpoint when its turn comes). */
  retry: z.boolean().default(false),
})
/** One run of the grid. */
export type StudySlot = z.infer<typeof StudySlotSchema>

/** A test set of the study: a composition's test split. */
export const StudyTestSetInfoSchema = z.object({
  compositionId: z.string(),
  name: z.string(),
  /** Every image of the composition is test: an external collection no run of the study trained on. */
  testOnly: z.boolean(),
  /** A training composition of the study (its own test split, "within-dataset" for the runs trained on it). */
  trainedOn: z.boolean(),
  paper: PaperDatasetSchema.nullable(),
})
/** A test set of the study. */
export type StudyTestSetInfo = z.infer<typeof StudyTestSetInfoSchema>

/** A run's stored evaluation on a test set. */
export const StudyEvaluationLinkSchema = z.object({ slotKey: z.string(), runId: z.string(), compositionId: z.string(), evaluationId: z.string() })
/** A run's stored evaluation on a test set. */
export type StudyEvaluationLink = z.infer<typeof StudyEvaluationLinkSchema>

/** A run's "which dataset?" probe over the images of every test set. */
export const StudyProbeSchema = z.object({ slotKey: z.string(), runId: z.string(), separability: DatasetSeparabilitySchema })
/** A run's "which dataset?" probe. */
export type StudyProbe = z.infer<typeof StudyProbeSchema>

/** Something of the study that could not be done (a run failed, an evaluation could not be made), with the reason. */
export const StudyProblemSchema = z.object({
  slotKey: z.string(),
  kind: z.enum(['run', 'evaluation', 'probe']),
  /** The test set, for evaluations. */
  compositionId: z.string().nullable(),
  message: z.string(),
  at: z.string(),
})
/** Something of the study that could not be done. */
export type StudyProblem = z.infer<typeof StudyProblemSchema>

/** Seconds and bytes a study is expected to take, before it starts. */
export const StudyEstimateSchema = z.object({
  backend: z.string(),
  /** One entry per distinct cell (seeds take the same time). */
  cells: z.array(z.object({ cellKey: z.string(), label: z.string(), secondsPerRun: z.number(), runs: z.number().int(), parameters: z.number().int() })),
  trainingSeconds: z.number(),
  /** Decoding and preprocessing inputs not yet in the input cache (each image once per preprocessing and size). */
  preparationSeconds: z.number(),
  evaluationSeconds: z.number(),
  totalSeconds: z.number(),
  disk: z.object({ modelBytes: z.number(), cacheBytes: z.number(), totalBytes: z.number() }),
  /** Inputs already prepared and cached, of those the study needs. */
  cachedInputs: z.number().int(),
  neededInputs: z.number().int(),
  notes: z.array(z.string()),
})
/** What a study is expected to take. */
export type StudyEstimate = z.infer<typeof StudyEstimateSchema>

/**
 * A study's life: `running` while it has work (training, evaluating, or waiting for its turn: one study advances at a
 * time per program), `cancelled` when the user stopped it (resume continues), `completed` when every run settled and
 * every completed run is evaluated on every test set (failed runs are listed under `problems`; resume retries them).
 * A study that was running when the program stopped is still `running` on disk and continues at the next start.
 */
export const StudyStateSchema = z.enum(['running', 'cancelled', 'completed'])
/** A study's state. */
export type StudyState = z.infer<typeof StudyStateSchema>

/** The study file format, so a file read back is known to be one. */
export const STUDY_FORMAT = 'cxr-workstation.study'

/** Everything about a study: `<dataFolder>/studies/<id>/study.json`. */
export const StudyRecordSchema = z.object({
  format: z.literal(STUDY_FORMAT),
  version: z.literal(1),
  id: z.string(),
  spec: StudySpecSchema,
  state: StudyStateSchema,
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  cells: z.array(StudyCellSchema),
  /** In launch order: every cell's first seed, then every cell's second seed…, so the table fills early. */
  slots: z.array(StudySlotSchema),
  testSets: z.array(StudyTestSetInfoSchema),
  /** Each run gets a "which dataset?" probe: asked for, and the test sets hold images of two or more datasets. */
  datasetProbe: z.boolean(),
  evaluations: z.array(StudyEvaluationLinkSchema),
  probes: z.array(StudyProbeSchema),
  problems: z.array(StudyProblemSchema),
  estimate: StudyEstimateSchema.nullable(),
  /** The last log lines. */
  log: z.array(z.string()),
})
/** Everything about a study. */
export type StudyRecord = z.infer<typeof StudyRecordSchema>

/** How far a study is, computed from its runs' states when asked (not stored). */
export const StudyProgressSchema = z.object({
  runs: z.object({
    total: z.number().int(),
    completed: z.number().int(),
    failed: z.number().int(),
    /** Queued or training now (here or in another program). */
    active: z.number().int(),
    /** Not started yet, or stopped (cancelled, interrupted) and waiting to continue. */
    waiting: z.number().int(),
  }),
  evaluations: z.object({ total: z.number().int(), done: z.number().int() }),
  probes: z.object({ total: z.number().int(), done: z.number().int() }),
  /** The run training now, if one of the study's is. */
  currentRunId: z.string().nullable(),
  /** Seconds left: the current run's own estimate plus the remaining runs at the pace of the finished ones (or the study's estimate); null until known. */
  etaSeconds: z.number().nullable(),
  /** Which program drives the study now (null: none; a running study with no driver continues when the app starts). */
  driver: z.object({ kind: z.string(), pid: z.number().int(), thisProcess: z.boolean() }).nullable(),
})
/** How far a study is. */
export type StudyProgress = z.infer<typeof StudyProgressSchema>

/** A study as lists show it: the record and its progress. */
export const StudyOverviewSchema = z.object({ record: StudyRecordSchema, progress: StudyProgressSchema })
/** A study with its progress. */
export type StudyOverview = z.infer<typeof StudyOverviewSchema>

/** How many log lines a study record keeps. */
export const STUDY_LOG_LINES = 200
