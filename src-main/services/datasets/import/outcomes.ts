import type { DicomFolderImportSpec, DuplicatePolicy } from '@shared/library/importSpecs'
import type { DecodedImage } from '@shared/imaging/types'
import type { ImagePhi } from '@shared/library/summaries'
import type { NewImage } from '../../library/imageRepository'
import type { NewIssue } from '../../library/importJobRepository'
import type { NewMask } from '../../library/maskRepository'
import type { Pseudonymiser } from '../../library/pseudonyms'
import type { ThumbnailCache } from '../../library/thumbnails'
import type { ReadableCheck } from './readable'

/** The part of a decoded image the import uses; the imaging service's `DecodedImage` has it all. */
export type DecodedForImport = Pick<
  DecodedImage,
  'source' | 'width' | 'height' | 'pixels' | 'pixelRange' | 'voi' | 'invert' | 'tags' | 'patient' | 'photometricInFile' | 'transferSyntax' | 'bitsStored'
> & Partial<Pick<DecodedImage, 'warnings'>>

/**
 * Decodes a DICOM (or any non-raster) file from its bytes, read once for hashing too; rejects with an `ImagingError`
 * naming the file. `release`, when present, gives the pixel arrays back to the decoder's pool: nothing may read them
 * after it.
 */
export type DecodeImage = (path: string, bytes: Uint8Array) => Promise<DecodedForImport & { release?(): void }>

/** What processing one file needs: the job's choices and the tools, no database writes. */
export interface ProcessContext {
  datasetId: string
  /** Thumbnails to write, or undefined when the spec turned them off. */
  thumbnails: ThumbnailCache | undefined
  decode: DecodeImage
  /** Resolves each file right before it is read; refuses one outside the folders the user chose. */
  readable: ReadableCheck
  pseudonymiser: Pseudonymiser
  /** DICOM choices (pseudonymise, modalities); defaults for other imports. */
  dicom: Pick<DicomFolderImportSpec, 'pseudonymise' | 'modalities'>
  duplicates: DuplicatePolicy
  /** Where merged masks are written (`<dataFolder>/cache/masks`). */
  maskCacheFolder: string
  /** Looks up an image of the dataset (masks attach to them; re-imports skip probing what is known). */
  findImage(sourceKey: string): { width: number; height: number; contentHash: string; format: ProcessedImage['format'] } | undefined
  signal: AbortSignal
}

/** An image ready to be written: its row, less what the batch that writes it fills in. */
export type ProcessedImage = Omit<NewImage, 'datasetId' | 'sourceKey' | 'importJobId' | 'createdAt'>

/** A mask ready to be written, naming its image by source key (the row id exists only once the image is in). */
export type ProcessedMask = Omit<NewMask, 'imageId' | 'importJobId' | 'createdAt'> & { imageKey: string }

/** The result of processing one planned file, applied to the database in the batch's transaction. */
export type ItemOutcome =
  | { kind: 'image'; ordinal: number; sourceKey: string; image: ProcessedImage; phi?: ImagePhi; warnings: NewIssue[] }
  | { kind: 'mask'; ordinal: number; sourceKey: string; mask: ProcessedMask; warnings: NewIssue[] }
  | { kind: 'rejected'; ordinal: number; sourceKey: string; status: 'failed' | 'skipped'; issue: NewIssue }

/**
 * A rejected file's outcome.
 * @param ordinal the item.
 * @param sourceKey its image id.
 * @param status `failed` (a problem) or `skipped` (a deliberate choice).
 * @param issue why.
 */
export function rejected(ordinal: number, sourceKey: string, status: 'failed' | 'skipped', issue: NewIssue): ItemOutcome {
  return { kind: 'rejected', ordinal, sourceKey, status, issue: { ...issue, ordinal } }
}
