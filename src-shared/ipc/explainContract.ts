import { z } from 'zod'
import { LUNG_SHARE_UNKNOWN } from '../evaluation/saliency'
import { Float32ArraySchema } from './typedArraySchemas'

const ShareUnknownSchema = z.enum(LUNG_SHARE_UNKNOWN).nullable()

/** Where a trained model looks: Grad-CAM over one radiograph, with the share of saliency inside the lungs. */
export const explainChannels = {
  gradCam: {
    request: z.object({ runId: z.string().min(1).max(200), imagePath: z.string().min(1).max(4096) }).strict(),
    response: z.object({
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      heatmap: Float32ArraySchema,
      probability: z.number(),
      /** Share of the saliency inside the lung mask; null without a lung model. Low values mean shortcuts. */
      insideLungShare: z.number().nullable(),
      /** Why the share is null. */
      shareUnknown: ShareUnknownSchema,
    }),
  },
  /**
   * "Try an image": an image open in the app (by its key from `imaging.openFile`/`openPath`) through one trained
   * model: its COVID+ probability and Grad-CAM, the heatmap shrunk to at most 512 px on its longer side.
   */
  tryImage: {
    request: z.object({ imageKey: z.string().min(1).max(200), runId: z.string().min(1).max(200) }).strict(),
    response: z.object({
      runId: z.string(),
      probability: z.number(),
      insideLungShare: z.number().nullable(),
      /** Why the share is null. */
      shareUnknown: ShareUnknownSchema,
      heatmap: z.object({ width: z.number().int().positive(), height: z.number().int().positive(), values: Float32ArraySchema }),
    }),
  },
} as const
