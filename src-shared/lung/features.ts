import { assertBinaryMask, type BinaryMask } from './binaryMask'
import { countComponents, type Connectivity } from './components'

/** Smallest rectangle holding every inside pixel, in pixels. */
export interface MaskBoundingBox {
  x: number
  y: number
  width: number
  height: number
}

/** Numbers that make a bad lung mask stand out in a QA list. */
export interface MaskQualityFeatures {
  width: number
  height: number
  /** Inside pixels. */
  area: number
  /** area / (width × height); chest radiographs typically give 0.2–0.5. */
  areaFraction: number
  /** Connected components (8-connectivity by default): 2 for a clean lung mask. */
  componentCount: number
  /** Inside pixels left of the image's vertical midline (the patient's right on a PA view). */
  leftArea: number
  /** Inside pixels right of the midline (the patient's left). */
  rightArea: number
  /**
   * min(left, right) / max(left, right) in [0, 1]; 1 for an empty mask. A missed lung drives it toward 0.
   * The split is the image midline rather than the mask's own centre, because a mask holding only one lung
   * would otherwise split itself in half and look balanced.
   */
  leftRightBalance: number
  /** null for an empty mask. */
  boundingBox: MaskBoundingBox | null
  /** Bounding box area / image area, 0 for an empty mask. */
  boundingBoxFraction: number
}

/**
 * QA features of a lung mask. For a mask of odd width the middle column belongs to neither side. O(pixels).
 */
export function maskQualityFeatures(mask: BinaryMask, connectivity: Connectivity = 8): MaskQualityFeatures {
  assertBinaryMask(mask)
  const { width, height, data } = mask
  let area = 0
  let leftArea = 0
  let rightArea = 0
  let minX = width
  let minY = height
  let maxX = -1
  let maxY = -1
  // Twice the column index against the width avoids fractions: x is left of the midline when 2x + 1 < width.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x] === 0) continue
      area++
      if (2 * x + 1 < width) leftArea++
      else if (2 * x + 1 > width) rightArea++
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
    }
  }
  const larger = Math.max(leftArea, rightArea)
  const boundingBox = area === 0 ? null : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 }
  return {
    width,
    height,
    area,
    areaFraction: area / (width * height),
    componentCount: countComponents(mask, connectivity),
    leftArea,
    rightArea,
    leftRightBalance: larger === 0 ? 1 : Math.min(leftArea, rightArea) / larger,
    boundingBox,
    boundingBoxFraction: boundingBox ? (boundingBox.width * boundingBox.height) / (width * height) : 0,
  }
}
