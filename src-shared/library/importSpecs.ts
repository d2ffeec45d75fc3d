import { z } from 'zod'
import { checkClassRule, checkPatientPattern } from './rules'

/**
 * What an import is asked to do, as the wizard (or the CLI) writes it. Every spec names its target dataset, its
 * sources and the choices a reviewer should be able to read back from the job record: which column is the label,
 * how label values map to classes, how patients are identified. The main process parses every spec with these
 * schemas before touching a file.
 */

/** Dataset ids appear in compositions, exports and file names: keep them short and portable. */
export const DATASET_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** Schema of a dataset id. */
export const DatasetIdSchema = z.string().regex(DATASET_ID_PATTERN, {
  error: 'dataset id must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit',
})

/** The dataset an import writes into: created on first import, extended (never overwritten) by later ones. */
export const DatasetTargetSchema = z.object({
  id: DatasetIdSchema,
  /** Display name; the id when absent. Ignored when the dataset exists. */
  name: z.string().trim().min(1).optional(),
  description: z.string().optional(),
})
/** The dataset an import writes into. */
export type DatasetTarget = z.infer<typeof DatasetTargetSchema>

const pathSchema = (what: string) => z.string({ error: `${what} is required` }).trim().min(1, { error: `${what} is required` })

const patientPatternSchema = z.string().superRefine((pattern, context) => {
  const problem = checkPatientPattern(pattern)
  if (problem) context.addIssue({ code: 'custom', message: problem })
})

/**
 * Where an image's label comes from.
 * - `column`: a CSV column; `values` maps each raw value (trimmed) to a class name, or to `null` to leave those
 *   rows out. When `values` is given, a value missing from it blocks the import (no silent defaults); when it is
 *   absent the raw values are the classes.
 * - `fixed`: every image gets the same class (a folder of COVID+ DICOMs, a mask-only set).
 * - `folder`: the name of the folder holding the file (DICOM folders sorted by class).
 */
export const LabelSourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('column'),
    column: z.string().min(1),
    values: z.record(z.string(), z.string().trim().min(1).nullable()).optional(),
  }),
  z.object({ kind: z.literal('fixed'), value: z.string().trim().min(1) }),
  z.object({ kind: z.literal('folder') }),
])
/** Where an image's label comes from. */
export type LabelSource = z.infer<typeof LabelSourceSchema>

/**
 * How images are grouped into patients, which is what splits keep apart.
 * - `column`: a CSV column.
 * - `file-name`: regular expressions with a named group `patient`, tried in order on the file name; the first
 *   match wins. A file no pattern matches becomes its own patient and is listed as a warning.
 * - `per-image`: every image is its own patient. Only safe when the source guarantees one image per patient;
 *   the import report says so.
 */
export const PatientSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('column'), column: z.string().min(1) }),
  z.object({ kind: z.literal('file-name'), patterns: z.array(patientPatternSchema).min(1) }),
  z.object({ kind: z.literal('per-image') }),
])
/** How images are grouped into patients. */
export type PatientSource = z.infer<typeof PatientSourceSchema>

/**
 * Kermany et al.'s file names carry the patient: `person123_bacteria_456.jpeg`, `IM-0123-0001.jpeg`,
 * `NORMAL2-IM-0123-0001.jpeg`. The group keeps the prefix (`person123`, `IM-0123`) because the two numberings
 * overlap (person1200 and IM-1200 are different children); merging them would be safe for leakage but wrong.
 */
export const KERMANY_PATIENT_PATTERNS: readonly string[] = ['(?<patient>person\\d+)_', '(?<patient>IM-\\d+)']

/**
 * One rule of a folder-per-class layout: files under a folder named `folder` (at any depth) whose file name
 * matches `fileNamePattern` (case-insensitive; any name when absent) get `class`. `class: null` ignores them.
 * Rules are tried in order; a file no rule matches is skipped and listed.
 */
export const ClassRuleSchema = z
  .object({
    folder: z.string().min(1),
    class: z.string().trim().min(1).nullable(),
    fileNamePattern: z.string().min(1).optional(),
  })
  .superRefine((rule, context) => {
    const problem = checkClassRule(rule)
    if (problem) context.addIssue({ code: 'custom', message: problem, path: ['fileNamePattern'] })
  })
/** One rule of a folder-per-class layout. */
export type ClassRule = z.infer<typeof ClassRuleSchema>

/**
 * Kermany's layout: `{train,test}/NORMAL` and `{train,test}/PNEUMONIA`, the pneumonia kind in the file name
 * (`person1_bacteria_1.jpeg`, `person1_virus_6.jpeg`); the paper's ChestXRay labels are normal/bacteria/virus.
 */
export const KERMANY_CLASS_RULES: readonly ClassRule[] = [
  { folder: 'NORMAL', class: 'normal' },
  { folder: 'PNEUMONIA', class: 'bacteria', fileNamePattern: 'bacteria' },
  { folder: 'PNEUMONIA', class: 'virus', fileNamePattern: 'virus' },
]

/** Mask file names often add a suffix to the image's (`_mask` in Shenzhen, `_lungs` in some COVID sets). */
export const DEFAULT_MASK_SUFFIXES: readonly string[] = ['', '_mask', '_lungs']

/**
 * Where masks come from. Masks attach to images of the dataset by file name (without extension).
 * - `same-name`: a folder of masks named like the images (plus one of `suffixes`).
 * - `index-csv`: a CSV with an image column and a mask column (lungmask-radiologist's `INDEX.csv`); mask paths
 *   are relative to `maskFolder` (default: the CSV's folder).
 * - `left-right`: two folders of half masks (Montgomery's `ManualMask/leftMask` and `rightMask`), merged into
 *   one union mask written to the cache.
 */
export const MaskSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('same-name'), folder: pathSchema('mask folder'), suffixes: z.array(z.string()).default([...DEFAULT_MASK_SUFFIXES]) }),
  z.object({
    kind: z.literal('index-csv'),
    csvPath: pathSchema('mask index CSV'),
    imageColumn: z.string().min(1),
    maskColumn: z.string().min(1),
    maskFolder: z.string().trim().min(1).optional(),
  }),
  z.object({
    kind: z.literal('left-right'),
    leftFolder: pathSchema('left mask folder'),
    rightFolder: pathSchema('right mask folder'),
    suffixes: z.array(z.string()).default([...DEFAULT_MASK_SUFFIXES]),
  }),
])
/** Where masks come from. */
export type MaskSource = z.infer<typeof MaskSourceSchema>
/** A mask source as written, before defaults. */
export type MaskSourceInput = z.input<typeof MaskSourceSchema>

/**
 * What to do with a file whose content is already in the dataset under another name. `keep` (default) imports
 * it and lists it as a warning: public sets ship such copies (Kermany has six pairs) and their published counts
 * include them, while splits stay safe because patients sharing an image are grouped. `skip` leaves it out.
 * Either way a file already imported under the same name with the same content changes nothing.
 */
export const DuplicatePolicySchema = z.enum(['keep', 'skip'])
/** What to do with a file whose content is already in the dataset under another name. */
export type DuplicatePolicy = z.infer<typeof DuplicatePolicySchema>

const commonOptions = {
  duplicates: DuplicatePolicySchema.default('keep'),
  /** Write a small thumbnail per image into the cache (also proves each PNG/JPEG decodes fully). */
  thumbnails: z.boolean().default(true),
}

/** A CSV/TSV listing image files with their labels (covid-chestxray's `frontal_xray_labels.csv`, Kermany's `labels.csv`). */
export const CsvImportSpecSchema = z.object({
  kind: z.literal('csv'),
  dataset: DatasetTargetSchema,
  csvPath: pathSchema('CSV file'),
  /** Folder the file column is relative to; the CSV's folder when absent. */
  imageFolder: z.string().trim().min(1).optional(),
  /** Field separator; detected from the header line when absent. */
  delimiter: z.enum([',', '\t', ';', '|']).optional(),
  fileColumn: z.string().min(1),
  /** Appended to every file column value: RSNA's CSV names images by patient id, the files are `<id>.dcm`. */
  fileSuffix: z.string().optional(),
  label: LabelSourceSchema,
  patient: PatientSourceSchema,
  viewColumn: z.string().min(1).optional(),
  /**
   * Replace the patient column's values (often hospital record numbers) by keyed hashes, as DICOM Patient IDs
   * are: the same value always gives the same pseudonym in this library, so patients still group. When absent:
   * yes for a new dataset; for a dataset imported before, whatever its earlier table imports did, so that no
   * patient ends up with two ids.
   */
  pseudonymise: z.boolean().optional(),
  /**
   * Extra columns kept with each image, beyond file, label, patient and view (which have their own fields).
   * None by default: tables often carry names, birth dates and notes that a study does not need.
   */
  keepColumns: z.array(z.string().min(1)).default([]),
  masks: MaskSourceSchema.optional(),
  ...commonOptions,
})

/** A folder with one sub-folder per class (Kermany: `NORMAL/`, `PNEUMONIA/`). */
export const FolderPerClassImportSpecSchema = z.object({
  kind: z.literal('folder-per-class'),
  dataset: DatasetTargetSchema,
  rootFolder: pathSchema('image folder'),
  /** Class rules; when absent each file's own folder name is its class. */
  classes: z.array(ClassRuleSchema).min(1).optional(),
  patient: PatientSourceSchema.refine((source) => source.kind !== 'column', { error: 'a folder layout has no patient column' }),
  masks: MaskSourceSchema.optional(),
  ...commonOptions,
})

/** A folder of DICOM files: patient, study, view, sex and age come from the headers. */
export const DicomFolderImportSpecSchema = z.object({
  kind: z.literal('dicom-folder'),
  dataset: DatasetTargetSchema,
  rootFolder: pathSchema('DICOM folder'),
  label: LabelSourceSchema.refine((source) => source.kind !== 'column', { error: 'a DICOM folder has no label column' }),
  /**
   * Replace Patient ID and Study Instance UID by a keyed hash (the key stays in this data folder's key store, apart
   * from the library, so the same patient always gets the same pseudonym here). The originals are kept apart and
   * shown only when the user turns showing identifying data on.
   */
  pseudonymise: z.boolean().default(true),
  /** Keep only these modalities (e.g. `['CR', 'DX']`); others are skipped and listed. All when absent. */
  modalities: z.array(z.string().trim().min(1)).min(1).optional(),
  masks: MaskSourceSchema.optional(),
  ...commonOptions,
})

/** Masks attached to the images of an existing dataset. */
export const MaskImportSpecSchema = z.object({
  kind: z.literal('masks'),
  datasetId: DatasetIdSchema,
  source: MaskSourceSchema,
  /** What the mask outlines. */
  structure: z.string().trim().min(1).default('lungs'),
})

/** Any import the library can run as a job. */
export const ImportSpecSchema = z.discriminatedUnion('kind', [
  CsvImportSpecSchema,
  FolderPerClassImportSpecSchema,
  DicomFolderImportSpecSchema,
  MaskImportSpecSchema,
])
/** A parsed import spec, defaults filled in. */
export type ImportSpec = z.infer<typeof ImportSpecSchema>
/** An import spec as the wizard writes it, before defaults. */
export type ImportSpecInput = z.input<typeof ImportSpecSchema>
/** A parsed CSV import spec. */
export type CsvImportSpec = z.infer<typeof CsvImportSpecSchema>
/** A parsed folder-per-class import spec. */
export type FolderPerClassImportSpec = z.infer<typeof FolderPerClassImportSpecSchema>
/** A parsed DICOM folder import spec. */
export type DicomFolderImportSpec = z.infer<typeof DicomFolderImportSpecSchema>
/** A parsed mask import spec. */
export type MaskImportSpec = z.infer<typeof MaskImportSpecSchema>
/** What kind of import a spec describes. */
export type ImportKind = ImportSpec['kind']

/** The dataset an import writes into. */
export function targetDatasetId(spec: ImportSpec): string {
  return spec.kind === 'masks' ? spec.datasetId : spec.dataset.id
}

/** The folder-per-class spec for Kermany's layout, for the wizard to prefill. */
export function kermanyFolderSpec(rootFolder: string, dataset: DatasetTarget): z.input<typeof FolderPerClassImportSpecSchema> {
  return {
    kind: 'folder-per-class',
    dataset,
    rootFolder,
    classes: KERMANY_CLASS_RULES.map((rule) => ({ ...rule })),
    patient: { kind: 'file-name', patterns: [...KERMANY_PATIENT_PATTERNS] },
  }
}
