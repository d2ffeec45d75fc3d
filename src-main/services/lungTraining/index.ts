/**
 * Lung U-Net training from the app on library datasets with masks (a cancellable job with progress), and the
 * choice of the lung model the app uses. The training itself is `trainLungModel` (services/segmentation).
 */
export { createLungTrainingService } from './lungTrainingService'
export type { LungTrainingService, LungTrainingServiceDeps } from './lungTrainingService'
export { LungTrainingError } from './errors'
export type { LungTrainingErrorCode } from './errors'
export { libraryLungSource, isLungStructure } from './librarySources'
export type { LibraryLungSource, LungTrainingLibrary } from './librarySources'
export { ACTIVE_LUNG_MODEL_FILE, createLungModelRegistry, readModelCard, trainedLungModelsDir } from './modelRegistry'
export type { LungModelRegistry } from './modelRegistry'
