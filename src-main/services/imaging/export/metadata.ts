/**
 * The JSON description of a decoded image that `cxr decode --json` prints: everything needed to read the
 * pixels again, and nothing identifying unless asked for, because such output ends up in logs and reports.
 */
import type { ResolvedVoi } from '@shared/imaging/displayLut'
import type { DecodedImage, PatientInfo, WindowSetting } from '@shared/imaging/types'

/** The decoded image's own fields that are printed as they are. */
type PrintedAsIs =
  | 'source' | 'width' | 'height' | 'samplesPerPixel' | 'bitsAllocated' | 'bitsStored' | 'highBit' | 'photometric'
  | 'photometricInFile' | 'transferSyntax' | 'decoder' | 'rescale' | 'pixelRange' | 'frames' | 'frameIndex' | 'tags' | 'warnings'

/** Metadata of one decoded frame, as printed. */
export interface ImageMetadata extends Pick<DecodedImage, PrintedAsIs> {
  file: string
  signed: boolean
  hasModalityLut: boolean
  windows: WindowSetting[]
  voiLutCount: number
  voiFunction: DecodedImage['voi']['function']
  /** The VOI transform the display image used (LUT data left out: it can be 64 k entries). */
  display: { kind: 'window'; center: number; width: number; function: string; fromFile: boolean } | { kind: 'lut'; entries: number; explanation?: string }
  modality?: string
  viewPosition?: string
  bodyPartExamined?: string
  /** Only with `includePhi`. */
  patient?: PatientInfo
}

/** Build the printable metadata of `image`; `patient` (PHI) is included only when `includePhi` is true. */
export function describeImage(file: string, image: DecodedImage, voi: ResolvedVoi, includePhi: boolean): ImageMetadata {
  const display: ImageMetadata['display'] =
    voi.kind === 'window'
      ? { kind: 'window', center: voi.window.center, width: voi.window.width, function: voi.function, fromFile: voi.fromFile }
      : { kind: 'lut', entries: voi.lut.data.length, ...(voi.lut.explanation ? { explanation: voi.lut.explanation } : {}) }
  return {
    file,
    source: image.source,
    width: image.width,
    height: image.height,
    samplesPerPixel: image.samplesPerPixel,
    bitsAllocated: image.bitsAllocated,
    bitsStored: image.bitsStored,
    highBit: image.highBit,
    signed: image.pixelRepresentation === 'signed',
    photometric: image.photometric,
    photometricInFile: image.photometricInFile,
    transferSyntax: image.transferSyntax,
    ...(image.decoder ? { decoder: image.decoder } : {}),
    rescale: image.rescale,
    hasModalityLut: image.modalityLut !== undefined,
    windows: image.voi.windows,
    voiLutCount: image.voi.luts.length,
    voiFunction: image.voi.function,
    display,
    pixelRange: image.pixelRange,
    frames: image.frames,
    frameIndex: image.frameIndex,
    modality: image.tags.modality,
    viewPosition: image.tags.viewPosition,
    bodyPartExamined: image.tags.bodyPartExamined,
    tags: image.tags,
    warnings: image.warnings,
    ...(includePhi ? { patient: image.patient } : {}),
  }
}
