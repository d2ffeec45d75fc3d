import { z } from 'zod'
import { EvaluationSplitSchema } from '../evaluation/types'

/** The self-contained HTML report of the Results page (and `cxr report`). */
export const reportChannels = {
  html: {
    request: z
      .object({
        runIds: z.array(z.string()).optional(),
        compositionIds: z.array(z.string()).optional(),
        split: EvaluationSplitSchema.default('test'),
        bias: z.boolean().default(false),
        colorBy: z.enum(['balancedAccuracy', 'auc']).default('balancedAccuracy'),
      })
      .strict(),
    response: z.object({ html: z.string(), warnings: z.array(z.string()) }),
  },
} as const
