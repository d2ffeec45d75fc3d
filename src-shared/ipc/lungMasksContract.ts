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
} from '../lung/qaSchemas'
import { ViewerSegmentationSchema } from '../imaging/viewerSegmentation'
import { Uint8ArraySchema } from './typedArraySchemas'

/** A stored lung mask for the viewer's overlay: 0/255 bytes, row-major, at the image's size. */
export const MaskOverlaySchema = z.object({ width: z.number().int().positive(), height: z.number().int().positive(), mask: Uint8ArraySchema })

/**
 * Lung masks: over whole datasets (`LungMaskJobs` in the main process: segmentation jobs, the mask QA list and
 * reviewers' flags) and of an image open in the viewer. Under the `lungMasks` key of the contract.
 */
export const lungMaskChannels = {
  /** The lung mask of an image open in the viewer (by the key `imaging.openFile` returned), by the model the app uses. */
  forOpenImage: { request: z.object({ imageKey: z.string().min(1).max(100) }).strict(), response: ViewerSegmentationSchema },
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
export const lungMaskEvents = {
  'lungMasks.onDidProgress': SegmentationProgressSchema,
} as const
