/**
 * Domain types of decoded radiographs, shared by the main process (decoding) and the renderer
 * (display). Pure TypeScript: no Node or DOM imports, so both sides can use them.
 */

/** Where an image came from: a DICOM object or an ordinary raster file. */
export type ImageSource = 'dicom' | 'png' | 'jpeg'

/** How stored sample values are to be read (DICOM Pixel Representation 0 / 1). */
export type PixelRepresentation = 'unsigned' | 'signed'

/**
 * Photometric interpretation of the samples in `DecodedImage.stored`, after decoding. Colour
 * images are always delivered as interleaved RGB (YBR is converted), so a viewer only has to know
 * these three plus the file's own value (kept in `photometricInFile`).
 */
export type Photometric = 'MONOCHROME1' | 'MONOCHROME2' | 'RGB'

/** VOI LUT Function (0028,1056); LINEAR is the DICOM default when the attribute is absent. */
export type VoiLutFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID'

/** One Window Center / Window Width pair (0028,1050 / 0028,1051) with its explanation (0028,1055). */
export interface WindowSetting {
  center: number
  width: number
  explanation?: string
}

/**
 * A lookup table in DICOM form (Modality LUT Sequence item or VOI LUT Sequence item): input values
 * below `firstInputValue` map to `data[0]`, above the last entry to `data[data.length - 1]`.
 */
export interface LookupTable {
  /** First input value mapped (LUT Descriptor value 2). */
  firstInputValue: number
  /** Bits per entry (LUT Descriptor value 3): the output range is 0 .. 2^bitsPerEntry - 1. */
  bitsPerEntry: number
  /** LUT Data, one output value per entry. */
  data: Uint16Array
  explanation?: string
}

/** Rescale Slope / Intercept (0028,1053 / 0028,1052); identity when absent. */
export interface RescaleSettings {
  slope: number
  intercept: number
  /** Rescale Type (0028,1054), e.g. 'HU' or 'US' (unspecified). */
  type?: string
}

/** Values Of Interest settings read from the file, used to produce a display image. */
export interface VoiSettings {
  windows: WindowSetting[]
  luts: LookupTable[]
  function: VoiLutFunction
}

/** The transfer syntax the pixel data was encoded with (raster files get a pseudo entry). */
export interface TransferSyntaxInfo {
  uid: string
  name: string
  /** True when the encoding may have lost information (lossy JPEG, JPEG 2000 irreversible...). */
  lossy: boolean
}

/**
 * Descriptive, non-identifying attributes: safe to show, log and store with experiment results.
 */
export interface ImageTags {
  modality?: string
  bodyPartExamined?: string
  viewPosition?: string
  laterality?: string
  manufacturer?: string
  manufacturerModelName?: string
  seriesDescription?: string
  studyDescription?: string
  imageType?: string[]
  sopClassUid?: string
  /** Physical distance between pixel centres (row spacing, column spacing) in mm. */
  pixelSpacing?: [number, number]
  /** Spacing at the detector (projection radiography) in mm. */
  imagerPixelSpacing?: [number, number]
  burnedInAnnotation?: string
}

/**
 * Protected health information and identifiers. Kept apart from `ImageTags` so that exports,
 * logs and experiment records can leave it out by construction: never copy it there implicitly.
 */
export interface PatientInfo {
  patientId?: string
  patientName?: string
  sex?: string
  /** Patient's Age (0010,1010) as written, e.g. '045Y'. */
  age?: string
  birthDate?: string
  studyDate?: string
  accessionNumber?: string
  institutionName?: string
  studyInstanceUid?: string
  seriesInstanceUid?: string
  sopInstanceUid?: string
}

/**
 * A decoded image: one frame, the stored values as in the file and the values after the
 * Modality LUT, with everything needed to display it.
 */
export interface DecodedImage {
  source: ImageSource
  width: number
  height: number
  /** 1 for greyscale, 3 for RGB (alpha is composited away). */
  samplesPerPixel: number
  bitsAllocated: number
  bitsStored: number
  highBit: number
  pixelRepresentation: PixelRepresentation
  photometric: Photometric
  /** Photometric Interpretation as written in the file (e.g. 'YBR_FULL_422'), for reports. */
  photometricInFile: string
  /**
   * Stored sample values, row-major, samples interleaved (RGBRGB...), with Bits Stored masking and
   * sign extension applied: what a raw (PGM/PPM) export writes.
   */
  stored: Int32Array
  /**
   * One value per pixel for computation: the Modality LUT output for greyscale (e.g. HU for CT),
   * the BT.601 luma of the stored samples for colour. Not windowed, not inverted.
   */
  pixels: Float32Array
  /** Smallest and largest value of `pixels` (for default windows and histograms). */
  pixelRange: { min: number; max: number }
  rescale: RescaleSettings
  /** Present when the file has a Modality LUT Sequence; then `pixels` come from it, not `rescale`. */
  modalityLut?: LookupTable
  voi: VoiSettings
  /** True for MONOCHROME1: the display must invert (low values are white). */
  invert: boolean
  transferSyntax: TransferSyntaxInfo
  /** The codec that decoded an encapsulated frame, e.g. "JPEG 2000 (OpenJPEG 2.5.0 native, 2 threads)"; absent for native pixel data. */
  decoder?: string
  /** Number of frames in the object (1 for raster files). */
  frames: number
  /** Index of the frame decoded here (0-based). */
  frameIndex: number
  tags: ImageTags
  /** Identifying data: handle as PHI (see `PatientInfo`). */
  patient: PatientInfo
  /** Non-fatal problems met while decoding (e.g. a missing padding byte), for the user to see. */
  warnings: string[]
}

/** Options of a decode call. */
export interface DecodeOptions {
  /** Frame to decode in a multi-frame object (0-based); default 0. */
  frame?: number
  /**
   * Where the decoder takes its full-size arrays (stored and modality values) from, for a caller that decodes image
   * after image and gives them back once done (an import); fresh arrays when absent.
   */
  pixelBuffers?: PixelBuffers
}

/**
 * Full-size arrays lent out and given back. A fresh array of megabytes costs page faults on its first touch and
 * garbage collection after its last; a lent one costs neither. An array taken is the taker's until released.
 */
export interface PixelBuffers {
  int32(length: number): Int32Array
  float32(length: number): Float32Array
  /** Gives arrays back; arrays this pool did not lend are ignored. None may be read afterwards. */
  release(...arrays: ArrayBufferView[]): void
}
