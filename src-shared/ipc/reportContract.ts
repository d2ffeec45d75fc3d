import { z } from 'zod'
import { EvaluationSplitSchema } from '../evaluation/types'
import { Uint8ArraySchema } from './typedArraySchemas'

/** Which models and test sets a report covers. */
const ReportRequestSchema = z
  .object({
    runIds: z.array(z.string()).optional(),
    compositionIds: z.array(z.string()).optional(),
    split: EvaluationSplitSchema.default('test'),
    /** Fig. 3's t-SNE maps and dataset probes per model: slow (encoder features of every test set). */
    bias: z.boolean().default(false),
    /** Grad-CAM examples per model (a few passes each): slow. */
    gradCam: z.boolean().default(false),
    colorBy: z.enum(['balancedAccuracy', 'auc']).default('balancedAccuracy'),
    /** A study: the report covers its table, comparisons and alarms, and its runs on its test sets. */
    studyId: z.string().min(1).max(200).optional(),
  })
  .strict()

/** The self-contained HTML report of the Results page (and `cxr report`), and its PDF in the desktop app. */
export const reportChannels = {
  html: { request: ReportRequestSchema, response: z.object({ html: z.string(), warnings: z.array(z.string()) }) },
  /** PDF through Electron's printToPDF; browser mode answers that it needs the desktop app. */
  pdf: { request: ReportRequestSchema, response: z.object({ pdf: Uint8ArraySchema, warnings: z.array(z.string()) }) },
} as const
