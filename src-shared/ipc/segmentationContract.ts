import { z } from 'zod'
import {
  ExcludedImagesRequestSchema,
  ListMaskFailuresRequestSchema,
  ListMaskQaRequestSchema,
  LungMaskModelsRequestSchema,
  LungMaskModelSummarySchema,
  MaskFailureSchema,
  MaskForRequestSchema,
  MaskQaListSchema,
  SegmentationJobIdRequestSchema,
  SegmentationJobSummarySchema,
  SegmentationProgressSchema,
  SegmentDatasetRequestSchema,
  SetMaskFlagRequestSchema,
} from '../segmentation/qaSchemas'
import { Uint8ArraySchema } from './typedArraySchemas'

/** A stored lung mask for the viewer's overlay: 0/255 bytes, row-major, at the image's size. */
export const MaskOverlaySchema = z.object({ width: z.number().int().positive(), height: z.number().int().positive(), mask: Uint8ArraySchema })

/**
 * Lung masks over datasets (`LungMaskJobs` in the main process): segmentation jobs, the mask QA list and
 * reviewers' flags. Meant to sit under a `lungMasks` key of the contract.
 */
export const segmentationJobChannels = {
  /** Segment every image of a dataset not cached yet for the model; one job runs at a time, others queue. */
  segmentDataset: { request: SegmentDatasetRequestSchema, response: z.object({ jobId: z.string(), modelId: z.string() }) },
  cancel: { request: SegmentationJobIdRequestSchema, response: z.void() },
  getJob: { request: SegmentationJobIdRequestSchema, response: SegmentationJobSummarySchema },
  listJobs: { request: z.object({}).strict(), response: z.array(SegmentationJobSummarySchema) },
  /** Images the model could not segment (unreadable files), across sessions. */
  listFailures: { request: ListMaskFailuresRequestSchema, response: z.array(MaskFailureSchema) },
  /** Masks ranked by unusualness (or by name), with flags and notes. */
  listMaskQa: { request: ListMaskQaRequestSchema, response: MaskQaListSchema },
  setMaskFlag: { request: SetMaskFlagRequestSchema, response: z.void() },
  maskFor: { request: MaskForRequestSchema, response: MaskOverlaySchema },
  lungMaskModels: { request: LungMaskModelsRequestSchema, response: z.array(LungMaskModelSummarySchema) },
  /** Image ids flagged bad, for compositions and runs to leave out. */
  excludedImageIds: { request: ExcludedImagesRequestSchema, response: z.array(z.string()) },
} as const

/** Events of lung-mask jobs. */
export const segmentationJobEvents = {
  'lungMasks.onDidProgress': SegmentationProgressSchema,
} as const
