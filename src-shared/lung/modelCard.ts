import { z } from 'zod'

/** Identifies the JSON document, so a reader can tell a lung model card from any other file. */
export const LUNG_MODEL_CARD_FORMAT = 'cxr-workstation/lung-segmentation-model-card'

/** Overlap scores of a set of images. */
export const OverlapSummarySchema = z.object({
  images: z.number().int().min(0),
  meanDice: z.number().nullable(),
  meanIoU: z.number().nullable(),
  medianDice: z.number().nullable(),
  minDice: z.number().nullable(),
})
/** Overlap scores of a set of images (null when there were none). */
export type OverlapSummary = z.infer<typeof OverlapSummarySchema>

/**
 * The parts of a lung model card that inference depends on: the input size, how the input is prepared and
 * how the output is post-processed. Parsed strictly; everything else in the card (training data, split,
 * evaluation) is documentation for people and is kept as is (loose object).
 */
export const LungModelCardSchema = z.looseObject({
  format: z.literal(LUNG_MODEL_CARD_FORMAT),
  formatVersion: z.literal(1),
  name: z.string(),
  architecture: z.looseObject({
    kind: z.literal('U-Net'),
    inputSize: z.number().int().positive(),
    depth: z.number().int().positive(),
    baseFilters: z.number().int().positive(),
    parameters: z.number().int().positive(),
  }),
  preprocessing: z.looseObject({
    resizeMode: z.enum(['stretch', 'pad']),
    equalize: z.literal('global'),
  }),
  postprocessing: z.object({
    threshold: z.number(),
    keepComponents: z.number().int().min(0),
    connectivity: z.union([z.literal(4), z.literal(8)]),
    minRelativeArea: z.number(),
    fillHoles: z.boolean(),
    blurRadius: z.number().min(0),
  }),
  evaluation: z.looseObject({
    heldOut: OverlapSummarySchema,
    /** Per mask set (cards since the first shipped model). */
    heldOutBySource: z.record(z.string(), OverlapSummarySchema).optional(),
    /** Per website the radiographs come from, where the data names one (older cards lack it). */
    heldOutByImageSource: z.record(z.string(), OverlapSummarySchema).optional(),
  }),
})
/** A lung model card as parsed (documentation fields kept but typed loosely). */
export type LungModelCard = z.infer<typeof LungModelCardSchema>

/** Mean, median and minimum of per-image Dice and IoU; nulls for no images. */
export function summarizeOverlap(scores: ReadonlyArray<{ dice: number; iou: number }>): OverlapSummary {
  if (scores.length === 0) return { images: 0, meanDice: null, meanIoU: null, medianDice: null, minDice: null }
  const dice = scores.map((score) => score.dice).sort((a, b) => a - b)
  const middle = dice.length >> 1
  return {
    images: scores.length,
    meanDice: dice.reduce((sum, value) => sum + value, 0) / dice.length,
    meanIoU: scores.reduce((sum, score) => sum + score.iou, 0) / scores.length,
    medianDice: dice.length % 2 ? dice[middle] : (dice[middle - 1] + dice[middle]) / 2,
    minDice: dice[0],
  }
}
