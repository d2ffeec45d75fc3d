/**
 * The lung wing: everything about lung segmentation in the main process, in one place.
 * - `model/`: the U-Net builder and loss, loading a lung model folder by content hash, and `segmentLungs` (the one
 *   way a radiograph is segmented, with its model card's options) used by the viewer, dataset jobs, runs,
 *   evaluation and the CLI;
 * - `masks/`: lung masks over whole datasets (jobs, cache by image hash and model id, QA list and flags);
 * - `training/`: training a lung model on masked datasets (the app's job and `cxr train-lungs`);
 * - `modelRegistry.ts`: the installed models and the one the app uses; `viewerMasks.ts`: masks of images open in
 *   the viewer.
 * The maths without tensors is in `@shared/lung`.
 */
export { buildUNet, resolveUNetOptions } from './model/unet'
export type { UNetOptions, ResolvedUNetOptions, UpsamplingMode } from './model/unet'
export { diceBceLoss, softDice } from './model/loss'
export { segmentImage, predictProbabilities, probabilityToImageSize, modelInputSize } from './model/segmentImage'
export type { SegmentImageOptions } from './model/segmentImage'
export { loadLungModel, lungModelIdentity, readLungModelCard, segmentLungs, MODEL_CARD_JSON } from './model/lungModel'
export type { LungModel, LungModelIdentity } from './model/lungModel'
export { createLungMaskJobs } from './masks/lungMaskJobs'
export type { LungMaskJobs, LungMaskJobsDeps, MaskOverlay } from './masks/lungMaskJobs'
export { examplesToTensors, trainSegmentationModel, validate } from './training/trainSegmentation'
export type { SegmentationExample, SegmentationTrainingOptions, SegmentationTrainingResult, BatchLog, EpochLog, StopReason } from './training/trainSegmentation'
export { listIndexCsvPairs, listMaskFolderPairs, listMontgomeryPairs } from './training/maskPairs'
export type { MaskPair, MaskPairListing } from './training/maskPairs'
export { readBinaryMask, fitMaskToImage } from './training/maskFiles'
export { trainLungModel, LUNG_TRAINING_DEFAULTS } from './training/trainLungModel'
export type { TrainLungModelOptions, LungTrainingSettings } from './training/trainLungModel'
export { createLungTrainingService } from './training/lungTrainingService'
export type { LungTrainingService, LungTrainingServiceDeps } from './training/lungTrainingService'
export { LungTrainingError } from './training/errors'
export type { LungTrainingErrorCode } from './training/errors'
export { libraryLungSource, isLungStructure } from './training/librarySources'
export type { LibraryLungSource, LungTrainingLibrary } from './training/librarySources'
export { ACTIVE_LUNG_MODEL_FILE, createLungModelRegistry, readModelCard, trainedLungModelsDir } from './modelRegistry'
export type { LungModelRegistry } from './modelRegistry'
export { defaultLungModelDir, LUNG_MODEL_RELATIVE_DIR } from './model/shippedModel'
