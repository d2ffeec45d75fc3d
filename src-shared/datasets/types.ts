import { z } from 'zod'

/**
 * Domain types of dataset composition (paper Section III-A, III-C and Table I). Values that cross IPC or are
 * exported as JSON have a zod schema next to their type, so the main process can parse what the renderer sends
 * and another workstation can parse what this one exported.
 */

/** One image as the library knows it. Patient ids are scoped by dataset: the same id in two datasets is two people. */
export const ImageRecordSchema = z.object({
  imageId: z.string().min(1),
  datasetId: z.string().min(1),
  patientId: z.string().min(1),
  /** The dataset's own class, e.g. `COVID-19`, `normal`, `bacteria`; mapped to COVID± by a {@link LabelMapping}. */
  label: z.string(),
  /** Hash of the pixel file: identical content is the same image, whatever its id or dataset. */
  contentHash: z.string().min(1),
  /** Acquisition view (PA, AP…), when known. */
  view: z.string().optional(),
})
/** One image as the library knows it. */
export type ImageRecord = z.infer<typeof ImageRecordSchema>

/** The binary task of the paper: COVID+ (`positive`) or COVID− (`negative`). */
export const BinaryLabelSchema = z.enum(['positive', 'negative'])
/** COVID+ (`positive`) or COVID− (`negative`). */
export type BinaryLabel = z.infer<typeof BinaryLabelSchema>

/** What one dataset label becomes: COVID+, COVID−, or left out of the composition. */
export const LabelTargetSchema = z.enum(['positive', 'negative', 'exclude'])
/** What one dataset label becomes. */
export type LabelTarget = z.infer<typeof LabelTargetSchema>

/**
 * Per dataset id, per dataset label, its binary target. Mappings are data, not code, so a reviewer can read the
 * cohort; a label present in the images but absent here is an error, never a silent default.
 */
export const LabelMappingSchema = z.record(z.string().min(1), z.record(z.string(), LabelTargetSchema))
/** Per dataset id, per dataset label, its binary target. */
export type LabelMapping = z.infer<typeof LabelMappingSchema>

/** The three sides of a composition, in the order they are drawn (test first, as in the paper's code). */
export const SPLITS = ['train', 'validation', 'test'] as const
/** Schema of a split name. */
export const SplitSchema = z.enum(SPLITS)
/** Which side of the composition an image is on. */
export type Split = z.infer<typeof SplitSchema>

/**
 * How a primary dataset's test set is chosen when the 70/30 rule does not apply.
 * - `count`: a fixed number of test images per class, drawn by patient like any split. The paper's
 *   COVID-ChestXRay test set is 10 COVID+ and 5 COVID− (Table I), "only 15 samples are used for testing in
 *   order to compare with other works [17]–[19] that use the same partitioning".
 * - `images`: an exact list of test images by content hash, for when that published partition is at hand;
 *   every other image of the same patients joins them so the fixed list cannot leak a patient.
 */
export const TestPolicySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('count'),
    positive: z.number().int().min(0),
    negative: z.number().int().min(0),
  }),
  z.object({ kind: z.literal('images'), contentHashes: z.array(z.string().min(1)).min(1) }),
])
/** How a primary dataset's test set is chosen when the 70/30 rule does not apply. */
export type TestPolicy = z.infer<typeof TestPolicySchema>

/** How the training set is balanced (Section IV: "where possible, we increased the COVID- cases… where not possible we subsampled the more populated class"). */
export const BalanceModeSchema = z.enum(['borrow', 'subsample', 'none'])
/** How the training set is balanced. */
export type BalanceMode = z.infer<typeof BalanceModeSchema>

const fraction = (name: string, fallback: number) =>
  z
    .number({ error: `${name} must be a number` })
    .refine((value) => value > 0 && value < 1, {
      error: (issue) => `${name} must be strictly between 0 and 1 (got ${String(issue.input)})`,
    })
    .default(fallback)

/** A test share of 1: every image is test (an external test set), nothing to train or validate on. */
export const TEST_ONLY_FRACTION = 1

/**
 * A recipe for one composed dataset (a row group of Table I). JSON-exportable: together with the images'
 * content hashes it is enough to rebuild the same sets elsewhere.
 */
export const CompositionSpecSchema = z.object({
  name: z.string().min(1),
  /** Datasets whose images are split train/validation/test by patient. */
  primary: z.array(z.string().min(1)).min(1),
  /** Datasets that lend COVID− images to balance every split (CORDA&ChestXRay, CORDA&RSNA). */
  borrow: z.array(z.string().min(1)).default([]),
  balance: BalanceModeSchema,
  /**
   * Share of each primary dataset held out for test (paper: 30%). Exactly 1 makes a test-only composition: a whole
   * dataset used as an external test set, tested on by models trained elsewhere (no train or validation split).
   */
  testFraction: z
    .number({ error: 'testFraction must be a number' })
    .refine((value) => value > 0 && value <= TEST_ONLY_FRACTION, {
      error: (issue) => `testFraction must be above 0 and at most 1 (1: every image is test, an external test set; got ${String(issue.input)})`,
    })
    .default(0.3),
  /** Share of the remaining training data held out for validation (paper: 20%). */
  validationFraction: fraction('validationFraction', 0.2),
  /** Seed of every random choice; the paper's Table I is one seed's outcome. */
  seed: z.number().int().default(0),
  labelMapping: LabelMappingSchema,
  /** Per primary dataset id, a test policy replacing `testFraction` (the COVID-ChestXRay case). */
  testPolicy: z.record(z.string().min(1), TestPolicySchema).optional(),
  /** Per dataset id, the views kept (e.g. `['PA']` for COVID-ChestXRay, Section III-A); other views, and images with no view, are excluded. */
  views: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).optional(),
  /**
   * Saved compositions (by id) whose patients and images this one must not contain: an external test set kept apart
   * from the training sets it will test (e.g. the AP views of COVID-ChestXRay patients who have no PA image in the
   * PA-only training composition). Their images leave this one as `in-other-composition`.
   */
  disjointFrom: z.array(z.string().min(1)).optional(),
})
/** A parsed composition recipe, defaults filled in. */
export type CompositionSpec = z.infer<typeof CompositionSpecSchema>
/** A composition recipe as written by a caller, before defaults. */
export type CompositionSpecInput = z.input<typeof CompositionSpecSchema>

/** True for a test-only composition (test share 1): an external test set, never trained on. */
export function isTestOnly(spec: Pick<CompositionSpec, 'testFraction'>): boolean {
  return spec.testFraction === TEST_ONLY_FRACTION
}

/** An image record with its binary label attached (after the label mapping). */
export type LabeledImage = ImageRecord & { binaryLabel: BinaryLabel }

/** Where one image of a composition went. */
export const ImageAssignmentSchema = z.object({
  imageId: z.string(),
  datasetId: z.string(),
  patientId: z.string(),
  contentHash: z.string(),
  label: z.string(),
  view: z.string().optional(),
  binaryLabel: BinaryLabelSchema,
  split: SplitSchema,
  /** `borrowed`: a COVID− image lent by a borrow dataset; `primary`: from a primary dataset. */
  source: z.enum(['primary', 'borrowed']),
})
/** Where one image of a composition went. */
export type ImageAssignment = z.infer<typeof ImageAssignmentSchema>

/** Why an image of the composition's datasets is in no split. */
export const ExclusionReasonSchema = z.enum(['label-excluded', 'view-excluded', 'duplicate-content', 'balance-subsampled', 'in-other-composition'])
/** Why an image of the composition's datasets is in no split. */
export type ExclusionReason = z.infer<typeof ExclusionReasonSchema>

/** An image left out, and why. Unused images of a borrow pool are not listed: they were never candidates. */
export const ExcludedImageSchema = z.object({
  imageId: z.string(),
  datasetId: z.string(),
  patientId: z.string(),
  contentHash: z.string(),
  label: z.string(),
  view: z.string().optional(),
  reason: ExclusionReasonSchema,
})
/** An image left out, and why. */
export type ExcludedImage = z.infer<typeof ExcludedImageSchema>

/** COVID+ and COVID− image counts. */
export const ClassCountsSchema = z.object({ positive: z.number().int(), negative: z.number().int() })
/** COVID+ and COVID− image counts. */
export type ClassCounts = z.infer<typeof ClassCountsSchema>

/** One row of the count table: a split, its counts per source dataset, and the total. */
export const CountRowSchema = z.object({
  split: z.string(),
  byDataset: z.record(z.string(), ClassCountsSchema),
  total: ClassCountsSchema,
})
/** One row of the count table. */
export type CountRow = z.infer<typeof CountRowSchema>

/** Table I's shape: rows = splits, columns = source dataset × COVID±, with a total column and a total row. */
export const CountTableSchema = z.object({
  datasetIds: z.array(z.string()),
  rows: z.array(CountRowSchema),
  total: CountRowSchema,
})
/** Table I's shape. */
export type CountTable = z.infer<typeof CountTableSchema>

/** The outcome of {@link CompositionSpec} on a set of images: plain data, safe to send over IPC. */
export const CompositionSchema = z.object({
  spec: CompositionSpecSchema,
  seed: z.number().int(),
  /** Version of the split rules, so an export states which rules produced it. */
  algorithm: z.string(),
  assignments: z.array(ImageAssignmentSchema),
  excluded: z.array(ExcludedImageSchema),
  counts: CountTableSchema,
  /** Things a reviewer should know (a class missing from a split, a borrow pool too small…). */
  warnings: z.array(z.string()),
})
/** The outcome of a composition recipe on a set of images. */
export type Composition = z.infer<typeof CompositionSchema>
