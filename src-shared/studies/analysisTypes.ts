import { z } from 'zod'
import { JsonSafeNumberSchema } from '../evaluation/types'
import { PaperDatasetSchema, PaperPretrainingSchema } from './spec'

/*
 * What a study's Results view shows, as JSON-safe data (NaN → null, ±∞ → "Infinity"): the table of mean ± SD over
 * seeds with intervals and the paper's numbers, the comparisons with their verdicts, and the alarms with evidence.
 */

/** The metrics a study table can show, in the paper's column order. */
export const STUDY_METRICS = ['sensitivity', 'specificity', 'fScore', 'accuracy', 'balancedAccuracy', 'auc', 'diagnosticOddsRatio'] as const
/** A metric a study table shows. */
export type StudyMetric = (typeof STUDY_METRICS)[number]

/** One metric of a cell over its seeds. */
export const SeedMetricSchema = z.object({
  /** Per-seed values, in seed order. */
  values: z.array(JsonSafeNumberSchema),
  mean: JsonSafeNumberSchema,
  /** Sample standard deviation over the seeds (null with one seed). */
  standardDeviation: JsonSafeNumberSchema,
  /** 95% interval of the mean over seeds (patient bootstrap; predictions are not pooled across seeds). */
  lower: JsonSafeNumberSchema,
  upper: JsonSafeNumberSchema,
  definedSeeds: z.number().int(),
  undefinedReason: z.string().optional(),
})
/** One metric of a cell over its seeds. */
export type SeedMetric = z.infer<typeof SeedMetricSchema>

/** The paper's numbers for a cell (Table II, III or IV). */
export const PaperCellSchema = z.object({
  table: z.enum(['II', 'III', 'IV']),
  pretraining: PaperPretrainingSchema,
  training: PaperDatasetSchema,
  test: PaperDatasetSchema,
  metrics: z.record(z.string(), JsonSafeNumberSchema),
})
/** The paper's numbers for a cell. */
export type PaperCell = z.infer<typeof PaperCellSchema>

/** One cell of the study table: a recipe (row) on a test set (column). */
export const StudyTableCellSchema = z.object({
  cellKey: z.string(),
  compositionId: z.string(),
  /** The test set is the row's own training composition's test split ("within-dataset"). */
  internal: z.boolean(),
  seedsExpected: z.number().int(),
  /** Seeds whose run is evaluated on this test set, in order. */
  seeds: z.array(z.number().int()),
  runIds: z.array(z.string()),
  n: z.number().int().nullable(),
  positives: z.number().int().nullable(),
  negatives: z.number().int().nullable(),
  metrics: z.record(z.string(), SeedMetricSchema).nullable(),
  paper: PaperCellSchema.nullable(),
  notes: z.array(z.string()),
})
/** One cell of the study table. */
export type StudyTableCell = z.infer<typeof StudyTableCellSchema>

/** A row of the study table (a cell of the grid). */
export const StudyTableRowSchema = z.object({
  cellKey: z.string(),
  label: z.string(),
  architecture: z.string(),
  preprocessing: z.string(),
  pretraining: z.string(),
  compositionId: z.string(),
  compositionName: z.string(),
})
/** A column of the study table (a test set). */
export const StudyTableColumnSchema = z.object({ compositionId: z.string(), name: z.string(), testOnly: z.boolean(), paper: PaperDatasetSchema.nullable() })

/** Which factor two compared cells differ in. */
export const StudyFactorSchema = z.enum(['architecture', 'preprocessing', 'pretraining', 'composition'])
/** Which factor two compared cells differ in. */
export type StudyFactor = z.infer<typeof StudyFactorSchema>

/** A comparison of two cells on a test set, with its verdict (see comparisons.ts for the scheme). */
export const StudyComparisonSchema = z.object({
  compositionId: z.string(),
  testSetName: z.string(),
  factor: StudyFactorSchema,
  cellA: z.string(),
  cellB: z.string(),
  /** What the two cells share, for a heading ("ResNet-18, trained on COVID-ChestXRay"). */
  context: z.string(),
  seedsA: z.number().int(),
  seedsB: z.number().int(),
  /** True while a cell still lacks some of its seeds: the result can change. */
  provisional: z.boolean(),
  metric: z.string(),
  method: z.enum(['delong', 'mcnemar', 'paired-bootstrap']),
  nameA: z.string(),
  nameB: z.string(),
  valueA: JsonSafeNumberSchema,
  valueB: JsonSafeNumberSchema,
  difference: JsonSafeNumberSchema,
  ci: z.object({ lower: JsonSafeNumberSchema, upper: JsonSafeNumberSchema, confidence: z.number() }).optional(),
  pValue: JsonSafeNumberSchema,
  adjustedPValue: JsonSafeNumberSchema.optional(),
  correction: z.enum(['holm', 'benjamini-hochberg']).optional(),
  n: z.number().int(),
  population: z.enum(['images', 'COVID+ images', 'COVID− images']).optional(),
  status: z.enum(['ok', 'identical', 'no-variance', 'too-few-images', 'one-class']),
  undefinedReason: z.string().optional(),
  note: z.string().optional(),
  verdict: z.object({ sentence: z.string(), significant: z.boolean(), better: z.enum(['A', 'B']).nullable() }),
})
/** A comparison of two cells on a test set. */
export type StudyComparison = z.infer<typeof StudyComparisonSchema>

/** An alarm raised on a study's results, with what it concerns and its evidence. */
export const StudyAlarmSchema = z.object({
  kind: z.enum(['backward-ranking', 'degenerate-classifier', 'external-drop', 'dataset-signature']),
  /** `run`: one trained model; `cell`: the recipe over its seeds. */
  scope: z.enum(['run', 'cell']),
  cellKey: z.string(),
  cellLabel: z.string(),
  seed: z.number().int().nullable(),
  runId: z.string().nullable(),
  /** The test set it concerns (the external one for a drop); null for the dataset probe, which spans them all. */
  compositionId: z.string().nullable(),
  message: z.string(),
  evidence: z.record(z.string(), z.unknown()),
})
/** An alarm on a study's results. */
export type StudyAlarm = z.infer<typeof StudyAlarmSchema>

/** Everything the study view and the report show. */
export const StudyAnalysisSchema = z.object({
  studyId: z.string(),
  name: z.string(),
  rows: z.array(StudyTableRowSchema),
  columns: z.array(StudyTableColumnSchema),
  /** `cells[row][column]`. */
  cells: z.array(z.array(StudyTableCellSchema)),
  comparisons: z.array(StudyComparisonSchema),
  alarms: z.array(StudyAlarmSchema),
  /** How the numbers were made, in sentences (seed aggregation, comparison scheme, correction). */
  methods: z.array(z.string()),
})
/** Everything the study view and the report show. */
export type StudyAnalysis = z.infer<typeof StudyAnalysisSchema>
