/** Evaluation of trained models (Tables II–IV) and dataset-bias tools (Fig. 3): types, CSV, matrix, probes, seed aggregation, verdicts and alarms. */
export * from './types'
export * from './csv'
export * from './matrix'
export * from './separability'
export * from './service'
export * from './seedAggregation'
export * from './verdicts'
export * from './alarms'
