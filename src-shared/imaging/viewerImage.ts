import { z } from 'zod'
import { Float32ArraySchema, Uint16ArraySchema, Uint8ArraySchema } from '../ipc/typedArraySchemas'

/** Largest file the viewer accepts over IPC: big enough for any radiograph, small enough to refuse a video. */
export const MAX_VIEWER_FILE_BYTES = 512 * 1024 * 1024

const WindowSettingSchema = z.object({ center: z.number(), width: z.number(), explanation: z.string().optional() })
const LookupTableSchema = z.object({
  firstInputValue: z.number(),
  bitsPerEntry: z.number(),
  data: Uint16ArraySchema,
  explanation: z.string().optional(),
})

/** A request to open a file the user picked or dropped: its name (for messages) and its bytes. */
export const OpenFileRequestSchema = z
  .object({
    name: z.string().min(1).max(1024),
    bytes: Uint8ArraySchema.refine((b) => b.byteLength > 0, 'the file is empty'),
    frame: z.number().int().nonnegative().optional(),
  })
  .strict()

/**
 * What the viewer needs of a decoded image: pixels after the Modality LUT, and everything to window and label
 * them. PHI is left out on purpose: the viewer shows images, not patients.
 */
export const ViewerImageSchema = z.object({
  /** The main process keeps the decoded image under this key for follow-up work (segmentation) without a re-upload. */
  imageKey: z.string(),
  name: z.string(),
  source: z.enum(['dicom', 'png', 'jpeg']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bitsAllocated: z.number(),
  bitsStored: z.number(),
  pixelRepresentation: z.enum(['unsigned', 'signed']),
  photometric: z.enum(['MONOCHROME1', 'MONOCHROME2', 'RGB']),
  photometricInFile: z.string(),
  transferSyntax: z.object({ uid: z.string(), name: z.string(), lossy: z.boolean() }),
  frames: z.number(),
  frameIndex: z.number(),
  modality: z.string().optional(),
  viewPosition: z.string().optional(),
  bodyPart: z.string().optional(),
  rescale: z.object({ slope: z.number(), intercept: z.number(), type: z.string().optional() }),
  pixels: Float32ArraySchema,
  pixelRange: z.object({ min: z.number(), max: z.number() }),
  voi: z.object({
    windows: z.array(WindowSettingSchema),
    luts: z.array(LookupTableSchema),
    function: z.enum(['LINEAR', 'LINEAR_EXACT', 'SIGMOID']),
  }),
  invert: z.boolean(),
  warnings: z.array(z.string()),
})
export type ViewerImage = z.infer<typeof ViewerImageSchema>
