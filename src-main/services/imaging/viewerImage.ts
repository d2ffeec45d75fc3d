import type { DecodedImage } from '@shared/imaging/types'
import type { ViewerImage } from '@shared/imaging/viewerImage'

/** Keeps what the viewer needs of a decoded image and drops the PHI and the raw stored samples. */
export function toViewerImage(name: string, image: DecodedImage, imageKey: string): ViewerImage {
  return {
    imageKey,
    name,
    source: image.source,
    width: image.width,
    height: image.height,
    bitsAllocated: image.bitsAllocated,
    bitsStored: image.bitsStored,
    pixelRepresentation: image.pixelRepresentation,
    photometric: image.photometric,
    photometricInFile: image.photometricInFile,
    transferSyntax: image.transferSyntax,
    frames: image.frames,
    frameIndex: image.frameIndex,
    modality: image.tags.modality,
    viewPosition: image.tags.viewPosition,
    bodyPart: image.tags.bodyPartExamined,
    rescale: image.rescale,
    pixels: image.pixels,
    pixelRange: image.pixelRange,
    voi: image.voi,
    invert: image.invert,
    warnings: image.warnings,
  }
}
