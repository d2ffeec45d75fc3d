import { z } from 'zod'
import { Float32ArraySchema } from './typedArraySchemas'

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
    }),
  },
} as const
