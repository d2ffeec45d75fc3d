/** Evaluation of trained runs on composition splits (Tables II–IV) and the dataset-bias tools (Fig. 3). */
export { createEvaluationService, type EvaluationDeps, type EvaluationServiceImpl } from './evaluationService'
export type { CompositionSource } from './compositionImages'
