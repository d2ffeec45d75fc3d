import { z } from 'zod'
import { EvaluationIdRequestSchema, EvaluationProgressSchema, TsneOptionsSchema } from '../evaluation/service'
import {
  BiasReportSchema,
  EvaluateRequestSchema,
  EvaluationMatrixSchema,
  EvaluationRecordSchema,
  EvaluationSummarySchema,
  FeatureSetSchema,
  FeaturesRequestSchema,
  MatrixRequestSchema,
  TsnePointSchema,
} from '../evaluation/types'

/** Evaluation of trained runs on test sets (Tables II–IV) and the dataset-bias tools (Fig. 3). */
export const evaluationChannels = {
  evaluate: { request: EvaluateRequestSchema, response: EvaluationRecordSchema },
  list: { request: z.object({}).strict(), response: z.array(EvaluationSummarySchema) },
  get: { request: EvaluationIdRequestSchema, response: EvaluationRecordSchema },
  remove: { request: EvaluationIdRequestSchema, response: z.void() },
  matrix: { request: MatrixRequestSchema, response: EvaluationMatrixSchema },
  exportMatrixCsv: { request: MatrixRequestSchema, response: z.string() },
  exportMatrixJson: { request: MatrixRequestSchema, response: z.string() },
  exportPredictionsCsv: { request: EvaluationIdRequestSchema, response: z.string() },
  exportPredictionsJson: { request: EvaluationIdRequestSchema, response: z.string() },
  encoderFeatures: { request: FeaturesRequestSchema, response: FeatureSetSchema },
  tsne: { request: z.object({ features: FeatureSetSchema, options: TsneOptionsSchema.optional() }).strict(), response: z.array(TsnePointSchema) },
  bias: { request: FeaturesRequestSchema.extend({ tsne: TsneOptionsSchema.optional() }), response: BiasReportSchema },
} as const

/** Evaluation events: one per stored evaluation, so an open Results page refreshes its matrix; progress of the work. */
export const evaluationEvents = {
  'evaluation.onDidStore': z.object({ evaluationId: z.string(), runId: z.string(), compositionId: z.string() }),
  'evaluation.onDidProgress': EvaluationProgressSchema,
} as const
