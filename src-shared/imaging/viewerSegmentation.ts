import { z } from 'zod'
import { Float32ArraySchema, Uint8ArraySchema } from '../ipc/typedArraySchemas'

/** Whether a lung model is installed, and what it is, for the viewer and the System page. */
export const LungModelStatusSchema = z.object({
  installed: z.boolean(),
  /** Why not, when it is not. */
  reason: z.string().optional(),
  name: z.string().optional(),
  folder: z.string().optional(),
  inputSize: z.number().optional(),
  /** Mean held-out Dice from the model card. */
  heldOutDice: z.number().nullable().optional(),
})
export type LungModelStatus = z.infer<typeof LungModelStatusSchema>

/** A lung mask of an open image, at the image's size, with the QA numbers the mask list ranks by. */
export const ViewerSegmentationSchema = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** 0/255 before blurring: the mask drawn as an outline or filled overlay. */
  mask: Uint8ArraySchema,
  /** The mask blurred with a 3-pixel radius, in [0, 1]: what the masked image is multiplied by (paper, Fig. 1). */
  blurred: Float32ArraySchema,
  features: z.object({
    areaFraction: z.number(),
    componentCount: z.number().int(),
    leftRightBalance: z.number(),
  }),
  model: LungModelStatusSchema,
  elapsedMs: z.number(),
})
export type ViewerSegmentation = z.infer<typeof ViewerSegmentationSchema>
