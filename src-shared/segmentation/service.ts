import type { GreyImage } from '../imaging/preprocess/greyImage'
import type { ResizePlacement } from '../imaging/preprocess/resize'
import type { BinaryMask } from './binaryMask'
import type { MaskQualityFeatures } from './features'
import type { LungModelCard } from './modelCard'

/** A lung segmentation at the radiograph's own size. */
export interface LungSegmentation {
  /** 0/255, the input image's width × height. */
  mask: BinaryMask
  /** The mask blurred 3 px (sigma), values in [0, 1]: what the preprocessing chain multiplies with. */
  blurred: GreyImage
  /** QA numbers of `mask`. */
  features: MaskQualityFeatures
  /** Side of the network input the prediction was made at. */
  inputSize: number
  /** Where the radiograph sat in the network input. */
  placement: ResizePlacement
}

/** The loaded lung model: where from and its card. */
export interface LungModelInfo {
  folder: string
  card: LungModelCard
}

/** Lung segmentation in the main process (tensors never leave it). */
export interface SegmentationService {
  /** Loads the lung model on first use and describes it; rejects naming what is missing. */
  modelInfo(): Promise<LungModelInfo>
  /** Segments one radiograph file (frame 0, or `frame` of a multi-frame DICOM). */
  segmentFile(path: string, options?: { frame?: number }): Promise<LungSegmentation>
  /** Frees the model's weights; a later call loads it again. */
  dispose(): void
}
