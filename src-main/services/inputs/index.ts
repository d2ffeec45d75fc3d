/**
 * Network inputs: the one pipeline from a radiograph file to the floats a classifier takes (decode, equalize,
 * lung mask by a lung model named by content id, resize, crop), with its content-addressed disk cache. Runs,
 * prediction, evaluation, features and Grad-CAM all go through it, in whichever thread they run.
 */
export { createInputPipeline, InputError } from './inputPipeline'
export type { EnsuredInput, InputImage, InputPipeline, InputPipelineOptions, PreparedInput } from './inputPipeline'
export { inputCacheLayout, inputSettingsKey, INPUT_PIPELINE_VERSION } from './inputSettings'
export type { InputSettings } from './inputSettings'
export { createLungMasker, createLungMaskers } from './lungMasker'
export type { LungMasker, LungMaskers, LungMaskFunction } from './lungMasker'
export { maskAtInput, preprocessForModel } from './networkInput'
export { inputCacheFile, isCached } from './inputCache'
export type { InputCacheLayout } from './inputCache'
export { cachedInputSet, memoryInputSet } from './inputSet'
export type { InputSet } from './inputSet'
export { startPreparation } from './preparation'
export type { Preparation, PreparationCounts, PrepareChunk } from './preparation'
export { prepareImages } from './prepareInputsJob'
export type { PrepareInputsJob, PrepareInputsEvent } from './prepareInputsJob'
