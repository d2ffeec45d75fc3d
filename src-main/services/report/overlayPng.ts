/**
 * A radiograph with its Grad-CAM heatmap drawn over it, as a small PNG inlined in the report (`data:` URI): the
 * report stays one file that opens offline, and a few hundred pixels are enough to see where the model looked.
 */
import sharp from 'sharp'
import { renderDisplayImage, type DisplaySource } from '@shared/imaging/displayLut'
import { overlayHeatmap } from '@shared/imaging/heatmapOverlay'
import { createGreyImage, resize } from '@shared/imaging/preprocess'

/** Longest side of a report's Grad-CAM picture in pixels (never enlarged). */
export const OVERLAY_MAX_SIDE = 256

/** A radiograph to draw: its values and how they are displayed (window, inversion), as decoded. */
export type OverlayImage = DisplaySource & { width: number; height: number }

/**
 * The radiograph as the viewer displays it (its VOI window, or its value range), shrunk so its longest side is at
 * most `maxSide` with the aspect ratio kept, with the heatmap (`width × height` values in [0, 1]) blended over it
 * in the viewer's colours; returned as `data:image/png;base64,…`.
 */
export async function heatmapOverlayPng(image: OverlayImage, heatmap: Float32Array, maxSide = OVERLAY_MAX_SIDE): Promise<string> {
  const { width, height } = image
  if (heatmap.length !== width * height) throw new RangeError(`the heatmap has ${heatmap.length} values for a ${width} × ${height} image`)
  const scale = Math.min(1, maxSide / Math.max(width, height))
  const target = { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
  // Both are averaged over the pixels each output pixel covers (area), so a small hot spot fades rather than vanishes.
  const shrink = (values: ArrayLike<number>) =>
    scale === 1 ? values : resize(createGreyImage(width, height, Float32Array.from(values)), { ...target, mode: 'stretch', interpolation: 'area' }).image.data
  const rgb = overlayHeatmap(shrink(renderDisplayImage(image)), shrink(heatmap), 3)
  const png = await sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { ...target, channels: 3 } }).png({ compressionLevel: 9 }).toBuffer()
  return `data:image/png;base64,${png.toString('base64')}`
}
