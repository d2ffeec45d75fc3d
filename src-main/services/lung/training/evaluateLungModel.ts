import type * as tf from '@tensorflow/tfjs'
import type { ResizeMode } from '@shared/imaging/preprocess'
import { diceCoefficient, intersectionOverUnion, summarizeOverlap, type LungPostprocessOptions, type OverlapSummary } from '@shared/lung'
import { decodeImageFile } from '../../imaging/index'
import { fitMaskToImage, readBinaryMask } from './maskFiles'
import type { MaskPair } from './maskPairs'
import { segmentImage } from '../model/segmentImage'

/** Scores of one image at its own size. */
export interface ImageOverlap {
  id: string
  /** The mask set. */
  sourceId: string
  /** Where the radiograph comes from, when known (see `LungMaskSource.originOf`). */
  origin?: string
  dice: number
  iou: number
}

/** Overall scores, and per mask set and per image source. */
export interface LungEvaluation {
  overall: OverlapSummary
  bySource: Record<string, OverlapSummary>
  /** Per image source; images of unknown source under `unknown`. Empty when no origin was asked for. */
  byOrigin: Record<string, OverlapSummary>
  perImage: ImageOverlap[]
}

/** The `byOrigin` key of images whose source is not known. */
export const UNKNOWN_ORIGIN = 'unknown'

/**
 * Scores a model the way it is used: `segmentImage` on the original file (network input chain, mapping back,
 * post-processing) against the ground-truth mask at the image's own size, so resampling and post-processing
 * are part of the number, not just the network at 256 px.
 */
export async function evaluateLungModel(
  model: tf.LayersModel,
  pairs: readonly MaskPair[],
  options: {
    resizeMode: ResizeMode
    postprocess?: LungPostprocessOptions
    /** Where each radiograph comes from, for the per-image-source scores. */
    originOf?: (pair: MaskPair) => string | undefined
    signal?: AbortSignal
    onImage?: (score: ImageOverlap) => void
  },
): Promise<LungEvaluation> {
  const perImage: ImageOverlap[] = []
  for (const pair of pairs) {
    if (options.signal?.aborted) throw options.signal.reason
    const decoded = await decodeImageFile(pair.imagePath)
    const fitted = fitMaskToImage(await readBinaryMask(pair.maskPaths), decoded.width, decoded.height)
    if ('reason' in fitted) throw new Error(`${pair.id}: ${fitted.reason}`)
    const { mask } = await segmentImage(model, decoded, { resizeMode: options.resizeMode, postprocess: options.postprocess })
    const origin = options.originOf ? (options.originOf(pair) ?? UNKNOWN_ORIGIN) : undefined
    const score: ImageOverlap = { id: pair.id, sourceId: pair.sourceId, ...(origin === undefined ? {} : { origin }), dice: diceCoefficient(mask, fitted.mask), iou: intersectionOverUnion(mask, fitted.mask) }
    perImage.push(score)
    options.onImage?.(score)
  }
  return {
    overall: summarizeOverlap(perImage),
    bySource: summarizeGroups(perImage, (score) => score.sourceId),
    byOrigin: summarizeGroups(perImage, (score) => score.origin),
    perImage,
  }
}

/** Scores summarized per group, groups in name order; scores without a group are left out. */
function summarizeGroups(scores: readonly ImageOverlap[], groupOf: (score: ImageOverlap) => string | undefined): Record<string, OverlapSummary> {
  const groups = new Map<string, ImageOverlap[]>()
  for (const score of scores) {
    const group = groupOf(score)
    if (group !== undefined) groups.set(group, [...(groups.get(group) ?? []), score])
  }
  return Object.fromEntries([...groups.keys()].sort().map((group) => [group, summarizeOverlap(groups.get(group) as ImageOverlap[])]))
}
