import { z } from 'zod'
import type {
  BiasReport,
  EvaluateRequest,
  EvaluationMatrix,
  EvaluationRecord,
  EvaluationSummary,
  FeatureSet,
  FeaturesRequest,
  MatrixRequest,
  TsnePoint,
} from './types'

/**
 * How far an evaluation's heavy work is, as its job reports it: preparing the images' inputs, running the network
 * over them (scores or encoder features), or laying out the t-SNE map (iterations).
 */
export const EvaluationProgressSchema = z.object({
  runId: z.string().nullable(),
  /** What the work is for: a test-set evaluation, or the bias tools' encoder features and map. */
  task: z.enum(['evaluate', 'features', 'tsne', 'grad-cam']),
  stage: z.enum(['preparing', 'predicting', 'mapping', 'explaining']),
  done: z.number().int().min(0),
  total: z.number().int().min(0),
})
/** How far an evaluation's heavy work is. */
export type EvaluationProgress = z.infer<typeof EvaluationProgressSchema>

/** Names one stored evaluation. */
export const EvaluationIdRequestSchema = z.object({ evaluationId: z.string().min(1) }).strict()

/** t-SNE settings; the perplexity is lowered for small sets (it must stay below n / 3). */
export const TsneOptionsSchema = z.object({
  perplexity: z.number().positive().default(30),
  iterations: z.number().int().min(1).max(5000).default(500),
  seed: z.number().int().default(1),
})
/** t-SNE settings (defaults optional). */
export type TsneOptions = z.input<typeof TsneOptionsSchema>

/** The evaluation service: what the Results page and `cxr evaluate` call. */
export interface EvaluationService {
  /** Scores a completed run on a composition's split, stores the per-image predictions and metrics, returns the record. */
  evaluate(request: EvaluateRequest): Promise<EvaluationRecord>
  /** Stored evaluations without their per-image rows, newest first. */
  list(): Promise<EvaluationSummary[]>
  get(request: { evaluationId: string }): Promise<EvaluationRecord>
  remove(request: { evaluationId: string }): Promise<void>
  /** Table II's layout from stored evaluations; evaluates the empty cells first when `computeMissing`. */
  matrix(request: MatrixRequest): Promise<EvaluationMatrix>
  exportMatrixCsv(request: MatrixRequest): Promise<string>
  exportMatrixJson(request: MatrixRequest): Promise<string>
  exportPredictionsCsv(request: { evaluationId: string }): Promise<string>
  exportPredictionsJson(request: { evaluationId: string }): Promise<string>
  /** Global-pooled encoder outputs of a run for the images of several compositions' split. */
  encoderFeatures(request: FeaturesRequest): Promise<FeatureSet>
  /** 2-D t-SNE of a feature set, one point per image, coloured by dataset and label. */
  tsne(features: FeatureSet, options?: TsneOptions): Promise<TsnePoint[]>
  /** Features, t-SNE, k-NN separability and the "which dataset?" probe in one go (Fig. 3 plus numbers). */
  bias(request: FeaturesRequest & { tsne?: TsneOptions }): Promise<BiasReport>
}
