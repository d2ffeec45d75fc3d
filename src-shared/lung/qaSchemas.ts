import { z } from 'zod'

/**
 * Requests and results of lung-mask jobs over datasets and of the mask QA list (`LungMaskJobs` in the main
 * process). Everything that crosses IPC is parsed with these.
 */

const DatasetId = z.string().trim().min(1).max(200)
const ImageId = z.string().min(1).max(4096)
const ModelId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'a lung model id (lowercase letters, digits, dashes)')

/** A reviewer's verdict on a mask. */
export const MaskFlagSchema = z.enum(['ok', 'bad', 'unreviewed'])
/** A reviewer's verdict on a mask. */
export type MaskFlag = z.infer<typeof MaskFlagSchema>

/** {@link MaskQualityFeatures} as stored and sent. */
export const MaskQualityFeaturesSchema = z.object({
  width: z.number().int(),
  height: z.number().int(),
  area: z.number().int(),
  areaFraction: z.number(),
  componentCount: z.number().int(),
  leftArea: z.number().int(),
  rightArea: z.number().int(),
  leftRightBalance: z.number(),
  boundingBox: z.object({ x: z.number().int(), y: z.number().int(), width: z.number().int(), height: z.number().int() }).nullable(),
  boundingBoxFraction: z.number(),
})

/** `segmentDataset`: segment every image of a dataset; `modelFolder` defaults to the installed lung model. */
export const SegmentDatasetRequestSchema = z.object({ datasetId: DatasetId, modelFolder: z.string().min(1).max(4096).optional() }).strict()
/** A job's id. */
export const SegmentationJobIdRequestSchema = z.object({ jobId: z.string().min(1).max(100) }).strict()

/**
 * Life of a segmentation job: `queued` behind another job (one runs at a time: the U-Net takes the CPU), then
 * `running`, then `completed` (every image processed; some may have failed), `cancelled` or `failed` (the job
 * itself broke: no model, disk full). A cancelled job is not resumed: running the dataset again skips every
 * cached mask, which is the same thing.
 */
export const SegmentationJobStatusSchema = z.enum(['queued', 'running', 'cancelled', 'failed', 'completed'])
/** Life of a segmentation job. */
export type SegmentationJobStatus = z.infer<typeof SegmentationJobStatusSchema>

/** One progress event, the same shape as import progress; `done` counts images of any outcome. */
export const SegmentationProgressSchema = z.object({
  jobId: z.string(),
  datasetId: z.string(),
  modelId: z.string(),
  status: SegmentationJobStatusSchema,
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  failed: z.number().int().min(0),
  /** Images whose mask was already cached (no prediction needed). */
  cached: z.number().int().min(0),
  /** Images segmented per second in this job (cached ones excluded: they take no time and would flatter the ETA). */
  ratePerSecond: z.number().min(0),
  /** Seconds left at the current rate; null before the rate is known. */
  etaSeconds: z.number().min(0).nullable(),
})
/** One progress event. */
export type SegmentationProgress = z.infer<typeof SegmentationProgressSchema>

/** An image the job could not segment, with the reason. */
export const MaskFailureSchema = z.object({ imageId: z.string(), path: z.string(), message: z.string(), failedAt: z.string() })
/** An image the job could not segment. */
export type MaskFailure = z.infer<typeof MaskFailureSchema>

/** A job as `getJob`/`waitForJob` report it: its last progress, why it failed, and this job's failed images. */
export const SegmentationJobSummarySchema = SegmentationProgressSchema.extend({
  error: z.string().nullable(),
  failures: z.array(MaskFailureSchema),
})
/** A job's summary. */
export type SegmentationJobSummary = z.infer<typeof SegmentationJobSummarySchema>

/** `listMaskQa`: the masks of a dataset by one model (default: the model with most masks there). */
export const ListMaskQaRequestSchema = z
  .object({ datasetId: DatasetId, modelId: ModelId.optional(), sort: z.enum(['unusual', 'name']).default('unusual'), flag: MaskFlagSchema.optional() })
  .strict()

/** Per-feature contributions to the unusualness score (see `@shared/segmentation/qa`). */
export const QaTermsSchema = z.object({ areaFraction: z.number(), componentCount: z.number(), leftRightBalance: z.number(), boundingBoxFraction: z.number() })

/** One row of the mask QA list. */
export const MaskQaRowSchema = z.object({
  imageId: z.string(),
  path: z.string(),
  label: z.string(),
  contentHash: z.string(),
  modelId: z.string(),
  features: MaskQualityFeaturesSchema,
  /** Unusualness within the dataset (0 = typical; ≥ 3 worth a look). */
  score: z.number(),
  terms: QaTermsSchema,
  flag: MaskFlagSchema,
  note: z.string().nullable(),
})
/** One row of the mask QA list. */
export type MaskQaRow = z.infer<typeof MaskQaRowSchema>

/** The QA list: the model it is for (null when the dataset has no masks yet) and its rows. */
export const MaskQaListSchema = z.object({ modelId: z.string().nullable(), rows: z.array(MaskQaRowSchema) })
/** The QA list. */
export type MaskQaList = z.infer<typeof MaskQaListSchema>

/**
 * `setMaskFlag`. The dataset is part of the key because image ids (paths relative to the import root) are only
 * unique within a dataset. An absent note keeps the stored one; an empty note clears it.
 */
export const SetMaskFlagRequestSchema = z
  .object({ datasetId: DatasetId, imageId: ImageId, modelId: ModelId, flag: MaskFlagSchema, note: z.string().max(2000).optional() })
  .strict()

/** `maskFor`: one stored mask. */
export const MaskForRequestSchema = z.object({ datasetId: DatasetId, imageId: ImageId, modelId: ModelId }).strict()

/** `failures`: the images a model could not segment in a dataset. */
export const ListMaskFailuresRequestSchema = z.object({ datasetId: DatasetId, modelId: ModelId }).strict()

/** `lungMaskModels`: every model with masks, optionally counted within one dataset. */
export const LungMaskModelsRequestSchema = z.object({ datasetId: DatasetId.optional() }).strict()

/** A model version that has masks, with counts. */
export const LungMaskModelSummarySchema = z.object({
  modelId: z.string(),
  name: z.string(),
  folder: z.string(),
  inputSize: z.number().int(),
  createdAt: z.string(),
  maskCount: z.number().int(),
  badCount: z.number().int(),
  failedCount: z.number().int(),
})
/** A model version with its counts. */
export type LungMaskModelSummary = z.infer<typeof LungMaskModelSummarySchema>

/** `excludedImageIds`: images of a dataset whose mask by that model was flagged bad. */
export const ExcludedImagesRequestSchema = z.object({ datasetId: DatasetId, modelId: ModelId }).strict()
