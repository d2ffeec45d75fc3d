/**
 * Studies (issue 17): the paper's grid as one job — specification, expansion into runs, the study record, the
 * paper's Tables II–IV as data, the table of mean ± SD over seeds, comparisons with verdicts, alarms, estimates and
 * the preset study. Pure TypeScript, shared by the main process, the renderer and the CLI.
 */
export * from './spec'
export * from './record'
export * from './expand'
export * from './paperTables'
export * from './analysisTypes'
export * from './scoredSets'
export * from './table'
export * from './comparisons'
export * from './studyAlarms'
export * from './analysis'
export * from './estimate'
export * from './presets'
export * from './tableIVPreset'
export * from './service'
export * from './progress'
export * from './testSetLeakage'
export * from './compareRuns'
export * from './evaluationAlarms'
