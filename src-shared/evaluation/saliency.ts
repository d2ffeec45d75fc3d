/**
 * How much of a saliency map (e.g. Grad-CAM) falls on the lungs. Pure, so the renderer and the report can use it.
 */

/**
 * The share of the total saliency that falls inside the lung mask: Σ heatmap·mask / Σ heatmap, in [0, 1].
 * The mask is used soft (blurred edges weigh partially) because a hard threshold would make the share jump with
 * a one-pixel change of the segmentation. A low share means the model's COVID+ evidence lies outside the lungs
 * (markers, borders, text): a shortcut. Negative heat and mask values outside [0, 1] are clamped.
 *
 * @returns the share, or null when the heatmap has no saliency at all (the share is undefined).
 * @throws RangeError when the two arrays differ in length.
 */
export function saliencyInsideLungs(heatmap: ArrayLike<number>, lungMask: ArrayLike<number>): number | null {
  if (heatmap.length !== lungMask.length) throw new RangeError(`saliencyInsideLungs: heatmap has ${heatmap.length} values, lung mask ${lungMask.length}`)
  let total = 0
  let inside = 0
  for (let i = 0; i < heatmap.length; i++) {
    const heat = heatmap[i] > 0 ? heatmap[i] : 0
    const mask = Math.min(1, Math.max(0, lungMask[i]))
    if (!Number.isFinite(heat)) throw new RangeError(`saliencyInsideLungs: heatmap value ${heatmap[i]} at ${i} is not finite`)
    total += heat
    inside += heat * (Number.isNaN(mask) ? 0 : mask)
  }
  return total > 0 ? inside / total : null
}

/** Why a lung share is missing: no lung model, no lungs found in the image, or an empty map (no COVID+ evidence). */
export const LUNG_SHARE_UNKNOWN = ['no-lung-model', 'no-lungs-found', 'no-evidence'] as const
/** Why a lung share is missing. */
export type LungShareUnknown = (typeof LUNG_SHARE_UNKNOWN)[number]

/** The share of the saliency inside the lungs in words, or why it is unknown: one wording for every view and the report. */
export function lungShareText(share: number | null, unknown: LungShareUnknown | null): string {
  if (share !== null) return `${Math.round(share * 100)} % of the saliency inside the lungs`
  if (unknown === 'no-evidence') return 'no COVID+ evidence anywhere in the image (the map is empty)'
  if (unknown === 'no-lungs-found') return 'the lung model found no lungs in this image: the share inside the lungs is unknown'
  return 'no lung model: the share inside the lungs is unknown'
}
