import type { GreyImage } from '../imaging/preprocess/greyImage'
import type { ResizePlacement } from '../imaging/preprocess/resize'
import type { BinaryMask } from './binaryMask'
import type { MaskQualityFeatures } from './features'

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
