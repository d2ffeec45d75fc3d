import { z } from 'zod'

/**
 * The evaluation contract (paper Sec. IV, Tables II–IV): every trained model tested on every test set, each
 * result traceable to its per-image predictions. Plain JSON so the same objects are stored on disk, sent over
 * IPC and printed by the CLI.
 */

/** A number after `toJsonSafe`: ±Infinity become strings (a perfect DOR), NaN becomes null (undefined metric). */
export const JsonSafeNumberSchema = z.union([z.number(), z.literal('Infinity'), z.literal('-Infinity'), z.null()])
/** A JSON-safe number. */
export type JsonSafeNumber = z.infer<typeof JsonSafeNumberSchema>

/** Which composition split is scored. Test is the paper's; train/validation show over-fitting. */
export const EvaluationSplitSchema = z.enum(['test', 'validation', 'train'])
/** Which composition split is scored. */
export type EvaluationSplit = z.infer<typeof EvaluationSplitSchema>

/**
 * `standard`: the inputs exactly as the run's preprocessing makes them. `lungs-removed`: the same inputs with
 * the lung region blacked out: a model that still scores well is reading something other than the lungs
 * (markers, borders, scanner noise), i.e. a shortcut.
 */
export const EvaluationVariantSchema = z.enum(['standard', 'lungs-removed'])
/** How the inputs were altered before scoring. */
export type EvaluationVariant = z.infer<typeof EvaluationVariantSchema>

/** One scored image. `score` is the model's COVID+ probability; `label` 1 = COVID+. */
export const PredictionRowSchema = z.object({
  imageId: z.string(),
  datasetId: z.string(),
  patientId: z.string(),
  contentHash: z.string(),
  label: z.union([z.literal(0), z.literal(1)]),
  score: z.number(),
})
/** One scored image. */
export type PredictionRow = z.infer<typeof PredictionRowSchema>

/** One metric of `evaluateBinary` after `toJsonSafe`. */
export const MetricEstimateSchema = z.object({
  value: JsonSafeNumberSchema,
  undefinedReason: z.string().optional(),
  ci: z
    .object({ lower: JsonSafeNumberSchema, upper: JsonSafeNumberSchema, validReplicates: z.number(), undefinedReason: z.string().optional() })
    .optional(),
})

/**
 * `evaluateBinary`'s result after `toJsonSafe`. The metric table is checked field by field; the rest (Youden
 * threshold, bootstrap settings, ROC points) is kept as written because the metrics module owns its shape.
 */
export const StoredMetricsSchema = z.looseObject({
  threshold: z.number(),
  counts: z.object({ n: z.number(), positives: z.number(), negatives: z.number(), patients: z.number(), patientIdsProvided: z.boolean() }),
  confusion: z.object({ tp: z.number(), fp: z.number(), tn: z.number(), fn: z.number() }),
  metrics: z.record(z.string(), MetricEstimateSchema),
})
/** Stored metrics of one evaluation. */
export type StoredMetrics = z.infer<typeof StoredMetricsSchema>

/** How the metrics were computed (the paper: threshold 0.5, no Haldane correction). */
export const EvaluationOptionsSchema = z.object({
  threshold: z.number().gt(0).lt(1).default(0.5),
  haldane: z.boolean().default(false),
  /** Bootstrap replicates for the CIs (by patient); 0 skips the bootstrap. */
  replicates: z.number().int().min(0).default(1000),
  seed: z.number().int().default(20200428),
})
/** How the metrics were computed. */
export type EvaluationOptions = z.infer<typeof EvaluationOptionsSchema>

/** A request to score a run on a composition's split. */
export const EvaluateRequestSchema = z.object({
  runId: z.string().min(1),
  compositionId: z.string().min(1),
  split: EvaluationSplitSchema.default('test'),
  variant: EvaluationVariantSchema.default('standard'),
  options: EvaluationOptionsSchema.default({ threshold: 0.5, haldane: false, replicates: 1000, seed: 20200428 }),
})
/** A request to score a run (defaults optional). */
export type EvaluateRequest = z.input<typeof EvaluateRequestSchema>

/** One stored evaluation: `<dataFolder>/evaluations/<id>.json`. */
export const EvaluationRecordSchema = z.object({
  id: z.string(),
  runId: z.string(),
  compositionId: z.string(),
  split: EvaluationSplitSchema,
  variant: EvaluationVariantSchema,
  createdAt: z.string(),
  options: EvaluationOptionsSchema,
  predictions: z.array(PredictionRowSchema),
  metrics: StoredMetricsSchema,
  /** Things a reader should know (e.g. images the lung model could not mask). */
  notes: z.array(z.string()).default([]),
})
/** One stored evaluation. */
export type EvaluationRecord = z.infer<typeof EvaluationRecordSchema>

/** An evaluation without its per-image rows: what lists and the matrix carry. */
export const EvaluationSummarySchema = EvaluationRecordSchema.omit({ predictions: true })
/** An evaluation without its per-image rows. */
export type EvaluationSummary = z.infer<typeof EvaluationSummarySchema>

/** The metrics the paper's tables print, in their order (plus n). */
export const MATRIX_METRICS = ['accuracy', 'auc', 'sensitivity', 'specificity', 'fScore', 'balancedAccuracy', 'diagnosticOddsRatio'] as const
/** A metric shown in a matrix cell. */
export type MatrixMetric = (typeof MATRIX_METRICS)[number]

/** A matrix row: one trained model, described as Table II does (architecture, pre-training, training set). */
export const MatrixRowSchema = z.object({
  runId: z.string(),
  name: z.string(),
  architecture: z.string(),
  /** "none", or the pre-training datasets (followed through an encoder run), e.g. "ChestXRay". */
  pretraining: z.string(),
  trainingCompositionId: z.string(),
  trainingCompositionName: z.string(),
})
/** A matrix row. */
export type MatrixRow = z.infer<typeof MatrixRowSchema>

/** A matrix column: one test set (a composition's split). */
export const MatrixColumnSchema = z.object({ compositionId: z.string(), name: z.string(), split: EvaluationSplitSchema })
/** A matrix column. */
export type MatrixColumn = z.infer<typeof MatrixColumnSchema>

/** A cell: the latest evaluation of the row's run on the column's set, or null ids/metrics when none exists. */
export const MatrixCellSchema = z.object({
  runId: z.string(),
  compositionId: z.string(),
  evaluationId: z.string().nullable(),
  n: z.number().int().nullable(),
  metrics: z.record(z.string(), MetricEstimateSchema).nullable(),
})
/** A cell of the matrix. */
export type MatrixCell = z.infer<typeof MatrixCellSchema>

/** Table II's layout: `cells[row][column]`. */
export const EvaluationMatrixSchema = z.object({
  split: EvaluationSplitSchema,
  variant: EvaluationVariantSchema,
  rows: z.array(MatrixRowSchema),
  columns: z.array(MatrixColumnSchema),
  cells: z.array(z.array(MatrixCellSchema)),
})
/** Table II's layout. */
export type EvaluationMatrix = z.infer<typeof EvaluationMatrixSchema>

/** Which runs × test sets to tabulate; `computeMissing` evaluates the empty cells first. */
export const MatrixRequestSchema = z.object({
  runIds: z.array(z.string()).optional(),
  compositionIds: z.array(z.string()).optional(),
  split: EvaluationSplitSchema.default('test'),
  variant: EvaluationVariantSchema.default('standard'),
  computeMissing: z.boolean().default(false),
})
/** Which runs × test sets to tabulate. */
export type MatrixRequest = z.input<typeof MatrixRequestSchema>

/** Encoder features of images: one row of `values` per image. */
export const FeatureSetSchema = z.object({
  runId: z.string(),
  dimension: z.number().int(),
  items: z.array(z.object({ imageId: z.string(), datasetId: z.string(), patientId: z.string(), compositionId: z.string(), label: z.union([z.literal(0), z.literal(1)]) })),
  values: z.array(z.array(z.number())),
})
/** Encoder features of images. */
export type FeatureSet = z.infer<typeof FeatureSetSchema>

/** Which images to take features of: splits of several compositions (e.g. CORDA and ChestXRay, as Fig. 3a). */
export const FeaturesRequestSchema = z.object({
  runId: z.string().min(1),
  compositionIds: z.array(z.string().min(1)).min(1),
  split: EvaluationSplitSchema.default('test'),
  /** At most this many images per composition (t-SNE is quadratic). */
  limit: z.number().int().min(1).default(500),
})
/** Which images to take features of. */
export type FeaturesRequest = z.input<typeof FeaturesRequestSchema>

/** A 2-D t-SNE point with what colours it. */
export const TsnePointSchema = z.object({ x: z.number(), y: z.number(), imageId: z.string(), datasetId: z.string(), label: z.union([z.literal(0), z.literal(1)]) })
/** A 2-D t-SNE point. */
export type TsnePoint = z.infer<typeof TsnePointSchema>

/** An accuracy at telling the source dataset apart, next to what guessing the largest dataset gets. */
export const DatasetSeparabilitySchema = z.object({
  method: z.enum(['knn-loo', 'logistic-cv']),
  /** Held-out accuracy; null when it cannot be measured (one class, or too few patients for folds). */
  accuracy: z.number().nullable(),
  /** Share of the largest dataset: the accuracy of always guessing it. */
  chance: z.number(),
  n: z.number().int(),
  classes: z.array(z.string()),
  /** True when accuracy is far above chance: the features encode where an image comes from. */
  warning: z.boolean(),
  /** Folds actually used (logistic probe), or null (k-NN). */
  folds: z.number().int().nullable(),
})
/** Dataset separability of features. */
export type DatasetSeparability = z.infer<typeof DatasetSeparabilitySchema>

/** The bias report of one encoder: Fig. 3's t-SNE plus the two dataset-identification scores. */
export const BiasReportSchema = z.object({
  runId: z.string(),
  points: z.array(TsnePointSchema),
  knn: DatasetSeparabilitySchema,
  probe: DatasetSeparabilitySchema,
})
/** The bias report of one encoder. */
export type BiasReport = z.infer<typeof BiasReportSchema>
