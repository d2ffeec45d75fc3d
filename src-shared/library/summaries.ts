import { z } from 'zod'
import { CountTableSchema } from '../datasets/types'
import { ClassRuleSchema, PatientSourceSchema } from './importSpecs'
import { ImportIssueSchema, ImportJobStatusSchema } from './jobs'

/**
 * What the library answers: dataset and image summaries, saved compositions, and the previews the import wizard
 * shows before anything is written. Plain data with schemas, safe to send over IPC. Identifying data (PHI: DICOM
 * headers, table columns of older imports) appears only in the optional `phi` fields, filled only when the user
 * has turned on showing it in the settings; no request can ask for it.
 */

const countsSchema = z.record(z.string(), z.number().int())

/** Where a dataset's images came from (its first import). */
export const DatasetSourceKindSchema = z.enum(['csv', 'folder-per-class', 'dicom-folder'])

/** A dataset as the Datasets page lists it. */
export const DatasetSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  sourceKind: DatasetSourceKindSchema,
  rootFolder: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  imageCount: z.number().int(),
  patientCount: z.number().int(),
  maskCount: z.number().int(),
  /** Images per class (the dataset's own labels). */
  classCounts: countsSchema,
  /** Images per view; images without a view count under `unknown`. */
  viewCounts: countsSchema,
  /** Images whose content equals another image's of this dataset (kept copies). */
  duplicateContentCount: z.number().int(),
  /** True when patient ids are keyed hashes of the source's identifiers (DICOM Patient IDs, a table's patient column). */
  pseudonymised: z.boolean(),
  lastImport: z.object({ jobId: z.string(), status: ImportJobStatusSchema, finishedAt: z.string().optional() }).optional(),
  /** Only when the user turned on showing identifying data (System page): demographics from DICOM headers. */
  phi: z.object({ sexCounts: countsSchema }).optional(),
})
/** A dataset as the Datasets page lists it. */
export type DatasetSummary = z.infer<typeof DatasetSummarySchema>

/** Identifying data of one image (PHI): returned only when the user turned it on (System page). */
export const ImagePhiSchema = z.object({
  patientId: z.string().optional(),
  patientName: z.string().optional(),
  sex: z.string().optional(),
  age: z.string().optional(),
  birthDate: z.string().optional(),
  studyDate: z.string().optional(),
  accessionNumber: z.string().optional(),
  institutionName: z.string().optional(),
  studyInstanceUid: z.string().optional(),
  seriesInstanceUid: z.string().optional(),
  sopInstanceUid: z.string().optional(),
  /** Table columns an older CSV import kept with the image (names, birth dates, notes), moved here unchanged. */
  tableColumns: z.record(z.string(), z.string()).optional(),
})
/** Identifying data of one DICOM image. */
export type ImagePhi = z.infer<typeof ImagePhiSchema>

/** One image as a browser or viewer lists it. */
export const ImageSummarySchema = z.object({
  /** Stable id within the dataset: the file's path relative to the import root, with `/` separators. */
  imageId: z.string(),
  datasetId: z.string(),
  patientId: z.string(),
  label: z.string(),
  view: z.string().optional(),
  /** Pseudonymised Study Instance UID, DICOM only. */
  studyId: z.string().optional(),
  contentHash: z.string(),
  path: z.string(),
  format: z.enum(['png', 'jpeg', 'dicom']),
  byteSize: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  maskCount: z.number().int(),
  /** CSV columns kept with the image, and descriptive DICOM tags (modality...). */
  attributes: z.record(z.string(), z.string()),
  phi: ImagePhiSchema.optional(),
})
/** One image as a browser or viewer lists it. */
export type ImageSummary = z.infer<typeof ImageSummarySchema>

/** A page of a dataset's images, in image id order. */
export const ImagePageSchema = z.object({ total: z.number().int(), offset: z.number().int(), images: z.array(ImageSummarySchema) })
/** A page of a dataset's images. */
export type ImagePage = z.infer<typeof ImagePageSchema>

/** A mask attached to an image. */
export const MaskSummarySchema = z.object({
  imageId: z.string(),
  datasetId: z.string(),
  structure: z.string(),
  /** The mask file: the source file, or the union written to the cache for left+right pairs. */
  path: z.string(),
  contentHash: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  sources: z.array(z.string()),
})
/** A mask attached to an image. */
export type MaskSummary = z.infer<typeof MaskSummarySchema>

/** A saved composition as listed. */
export const CompositionSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The spec's own name (e.g. the paper preset). */
  specName: z.string(),
  algorithm: z.string(),
  seed: z.number().int(),
  createdAt: z.string(),
  datasetIds: z.array(z.string()),
  assignedCount: z.number().int(),
  excludedCount: z.number().int(),
  warningCount: z.number().int(),
  counts: CountTableSchema,
})
/** A saved composition as listed. */
export type CompositionSummary = z.infer<typeof CompositionSummarySchema>

/** Columns the wizard pre-selects, guessed from names and values; the user confirms or changes them. */
export const ColumnGuessSchema = z.object({
  file: z.string().optional(),
  label: z.string().optional(),
  patient: z.string().optional(),
  view: z.string().optional(),
  mask: z.string().optional(),
})

/** The first rows of a CSV/TSV, for the column-picking step. */
export const CsvPreviewSchema = z.object({
  path: z.string(),
  delimiter: z.string(),
  columns: z.array(z.string()),
  rowCount: z.number().int(),
  rows: z.array(z.record(z.string(), z.string())),
  guessed: ColumnGuessSchema,
})
/** The first rows of a CSV/TSV. */
export type CsvPreview = z.infer<typeof CsvPreviewSchema>

/** Distinct values of one column with their counts, for the label-mapping step. */
export const ColumnValuesSchema = z.object({
  column: z.string(),
  values: z.array(z.object({ value: z.string(), count: z.number().int() })),
  distinctCount: z.number().int(),
  truncated: z.boolean(),
})
/** Distinct values of one column. */
export type ColumnValues = z.infer<typeof ColumnValuesSchema>

/** One folder of a scanned tree. */
export const ScannedFolderSchema = z.object({
  /** Relative to the root, `/` separators; `''` is the root itself. */
  folder: z.string(),
  imageFiles: z.number().int(),
  otherFiles: z.number().int(),
  sampleNames: z.array(z.string()),
})

/** A folder tree as the wizard's first step sees it, with a guess of its layout. */
export const FolderScanSchema = z.object({
  rootFolder: z.string(),
  folders: z.array(ScannedFolderSchema),
  imageFiles: z.number().int(),
  dicomFiles: z.number().int(),
  suggested: z.object({
    kind: z.enum(['folder-per-class', 'dicom-folder', 'csv', 'unknown']),
    csvFiles: z.array(z.string()),
    classes: z.array(ClassRuleSchema).optional(),
    patient: PatientSourceSchema.optional(),
  }),
})
/** A folder tree as the wizard's first step sees it. */
export type FolderScan = z.infer<typeof FolderScanSchema>

/** One planned image as the preview shows it. */
export const PlannedImageSchema = z.object({
  imageId: z.string(),
  file: z.string(),
  label: z.string(),
  /** Known before import for CSV and file-name patients; DICOM patients come from the headers. */
  patientId: z.string().optional(),
  view: z.string().optional(),
})

/** What an import would do, computed without writing anything. */
export const ImportPreviewSchema = z.object({
  kind: z.enum(['csv', 'folder-per-class', 'dicom-folder', 'masks']),
  datasetId: z.string(),
  datasetExists: z.boolean(),
  /** Problems that stop the import; empty when it can start. */
  blocking: z.array(ImportIssueSchema),
  imageCount: z.number().int(),
  maskCount: z.number().int(),
  classCounts: countsSchema,
  /** Patients known before import (0 for DICOM, whose patients come from the headers). */
  patientCount: z.number().int(),
  viewCounts: countsSchema,
  sample: z.array(PlannedImageSchema),
  issueCounts: countsSchema,
  issues: z.array(ImportIssueSchema),
  /** Folders with their file counts and class (folder-per-class and DICOM folders). */
  folders: z.array(z.object({ folder: z.string(), files: z.number().int(), class: z.string().nullable() })).optional(),
  /**
   * Images of an existing dataset that this import names with another label than the library has: the library keeps
   * its labels (a composition may use them), so the wizard warns before the user believes the new ones apply.
   */
  relabelled: z
    .object({ count: z.number().int(), examples: z.array(z.object({ file: z.string(), from: z.string(), to: z.string() })) })
    .optional(),
  /** Header summary of a DICOM folder; patient and study counts are of distinct ids, never the ids. */
  dicom: z
    .object({ modalities: countsSchema, views: countsSchema, patients: z.number().int(), studies: z.number().int(), withoutPatientId: z.number().int() })
    .optional(),
})
/** What an import would do. */
export type ImportPreview = z.infer<typeof ImportPreviewSchema>
