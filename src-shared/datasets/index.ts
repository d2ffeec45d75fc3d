/**
 * Dataset composition (paper Section III-A, III-C, Table I) as pure functions: label mapping, patient-disjoint
 * stratified splits, balancing by borrowing or subsampling, Table I counts, a leakage proof, portable exports
 * and the paper's presets. No Node, DOM or Electron imports: the main process runs them, the UI shows them.
 *
 * Entry point for most callers: {@link composeDataset} with a spec from {@link paperPresets}, then
 * {@link checkLeakage} and {@link exportComposition}.
 */
export { composeDataset, compareAssignments, COMPOSITION_ALGORITHM } from './composeDataset'
export type { DisjointCompositions } from './composeDataset'
export { splitByPatient } from './splitByPatient'
export type { PatientSplit, SplitByPatientOptions, StratumSplit } from './splitByPatient'
export { groupByPatient, majorityClass, patientKey } from './patientGroups'
export type { PatientGroup } from './patientGroups'
export { apportion, heldOutCount } from './apportion'
export { balanceTrainingSet, countClasses, planBalance, subsampleProportionally } from './balance'
export type { BalancedTrainingSet, BalancePlan } from './balance'
export { drawNegatives } from './borrow'
export type { BorrowDraw } from './borrow'
export { applyLabelMapping, excludedImage } from './labels'
export type { LabelingResult } from './labels'
export { checkLeakage } from './leakage'
export type { DuplicateImage, DuplicateWithinSplit, LeakageReport, PatientOverlap } from './leakage'
export { countComposition, paperTableView } from './counts'
export {
  COMPOSITION_EXPORT_FORMAT,
  COMPOSITION_EXPORT_VERSION,
  CompositionExportSchema,
  exportComposition,
  importComposition,
} from './exchange'
export type { CompositionExport, ImportResult, MissingImage } from './exchange'
export {
  availablePaperPresets,
  COVID_CHESTXRAY_TEST_POLICY,
  COVID_CHESTXRAY_VIEWS,
  DATASET_ROLES,
  PAPER_LABEL_MAPPINGS,
  PAPER_PRESET_NAMES,
  PAPER_PRESET_ROLES,
  paperPresets,
} from './presets'
export type { DatasetRole, DatasetRoles, PaperPresetName, PaperPresetOptions } from './presets'
export { checkSpecDatasets, parseCompositionSpec } from './validateSpec'
export { deriveSeed, randomForStep, shuffle } from './random'
export { COMPOSITION_ERROR_CODES, CompositionError } from './errors'
export type { CompositionErrorCode } from './errors'
export * from './types'
