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
  sourceId: string
  dice: number
  iou: number
}

/** Overall and per-source scores. */
export interface LungEvaluation {
  overall: OverlapSummary
  bySource: Record<string, OverlapSummary>
  perImage: ImageOverlap[]
}

/**
 * Scores a model the way it is used: `segmentImage` on the original file (network input chain, mapping back,
 * post-processing) against the ground-truth mask at the image's own size, so resampling and post-processing
 * are part of the number, not just the network at 256 px.
 */
export async function evaluateLungModel(
  model: tf.LayersModel,
  pairs: readonly MaskPair[],
  options: { resizeMode: ResizeMode; postprocess?: LungPostprocessOptions; signal?: AbortSignal; onImage?: (score: ImageOverlap) => void },
): Promise<LungEvaluation> {
  const perImage: ImageOverlap[] = []
  for (const pair of pairs) {
    if (options.signal?.aborted) throw options.signal.reason
    const decoded = await decodeImageFile(pair.imagePath)
    const fitted = fitMaskToImage(await readBinaryMask(pair.maskPaths), decoded.width, decoded.height)
    if ('reason' in fitted) throw new Error(`${pair.id}: ${fitted.reason}`)
    const { mask } = await segmentImage(model, decoded, { resizeMode: options.resizeMode, postprocess: options.postprocess })
    const score = { id: pair.id, sourceId: pair.sourceId, dice: diceCoefficient(mask, fitted.mask), iou: intersectionOverUnion(mask, fitted.mask) }
    perImage.push(score)
    options.onImage?.(score)
  }
  const bySource: Record<string, OverlapSummary> = {}
  for (const sourceId of [...new Set(perImage.map((score) => score.sourceId))].sort()) {
    bySource[sourceId] = summarizeOverlap(perImage.filter((score) => score.sourceId === sourceId))
  }
  return { overall: summarizeOverlap(perImage), bySource, perImage }
}
