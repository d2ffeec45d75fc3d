/**
 * Lung segmentation in the main process: the U-Net builder, its training and evaluation, model files and
 * card, and `createSegmentationService` for the app. The maths without tensors is in `@shared/segmentation`.
 */
import type { DecodeOptions, DecodedImage } from '@shared/imaging/types'
import type { SegmentationService } from '@shared/segmentation'
import { loadLungModel, type LungModel } from './lungModel'
import { defaultLungModelDir } from './modelLocation'
import { segmentImage } from './segmentImage'

export { buildUNet, resolveUNetOptions } from './unet'
export type { UNetOptions, ResolvedUNetOptions, UpsamplingMode } from './unet'
export { diceBceLoss, softDice } from './loss'
export { examplesToTensors, trainSegmentationModel, validate } from './trainSegmentation'
export type { SegmentationExample, SegmentationTrainingOptions, SegmentationTrainingResult, BatchLog, EpochLog, StopReason } from './trainSegmentation'
export { segmentImage, predictProbabilities, probabilityToImageSize, modelInputSize } from './segmentImage'
export type { SegmentImageOptions } from './segmentImage'
export { fileLoadHandler, fileSaveHandler, loadLayersModelFromFolder, saveLayersModel } from './modelFiles'
export { loadLungModel } from './lungModel'
export type { LungModel } from './lungModel'
export { defaultLungModelDir, findProjectRoot, LUNG_MODEL_RELATIVE_DIR } from './modelLocation'
export { listIndexCsvPairs, listMaskFolderPairs, listMontgomeryPairs } from './maskPairs'
export type { MaskPair, MaskPairListing } from './maskPairs'
export { readBinaryMask, fitMaskToImage } from './maskFiles'
export { trainLungModel, LUNG_TRAINING_DEFAULTS, MODEL_CARD_JSON } from './trainLungModel'
export type { TrainLungModelOptions, LungTrainingSettings } from './trainLungModel'

/** Dependencies of the segmentation service. */
export interface SegmentationDeps {
  /** Decodes a radiograph file (the imaging service's `decode`). */
  decode: (path: string, options?: DecodeOptions) => Promise<DecodedImage>
  /** Model folder; default the shipped `resources/models/lung-unet`. */
  modelDir?: string
}

/**
 * Creates the segmentation service. The model is loaded on first use and kept (a few MB); concurrent first
 * calls share one load. The caller must have started a TensorFlow.js backend (the engine service).
 */
export function createSegmentationService(deps: SegmentationDeps): SegmentationService {
  let loading: Promise<LungModel> | undefined
  const model = () => {
    loading ??= loadLungModel(deps.modelDir ?? defaultLungModelDir()).catch((error: unknown) => {
      // A failed load (no model yet) must not stick: the user may build one and try again.
      loading = undefined
      throw error
    })
    return loading
  }
  return {
    async modelInfo() {
      const { folder, card } = await model()
      return { folder, card }
    },
    async segmentFile(path, options) {
      const lung = await model()
      const decoded = await deps.decode(path, options)
      return segmentImage(lung.model, decoded, { resizeMode: lung.card.preprocessing.resizeMode, postprocess: lung.card.postprocessing })
    },
    dispose() {
      const pending = loading
      loading = undefined
      void pending?.then((lung) => lung.model.dispose(), () => {})
    },
  }
}
