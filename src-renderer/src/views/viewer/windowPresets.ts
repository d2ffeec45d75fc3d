import type { WindowSetting } from '@shared/imaging/types'
import type { ViewerImage } from '@shared/imaging/viewerImage'
import { findRange } from '@shared/imaging/displayLut'

/** A named window the toolbar offers. */
export interface WindowPreset {
  id: string
  label: string
  window: WindowSetting
}

/**
 * Windows for this image: the file's own (as the modality set them), the full range, a robust 1–99 % range, and for
 * CT the usual chest windows in Hounsfield units. Radiographs have no absolute scale, so CT presets would be
 * meaningless for them and are not offered.
 */
export function windowPresets(image: ViewerImage): WindowPreset[] {
  const presets: WindowPreset[] = image.voi.windows
    .filter((w) => Number.isFinite(w.center) && w.width > 0)
    .map((w, i) => ({ id: `file-${i}`, label: `File: ${w.explanation || `window ${i + 1}`} (${round(w.center)}/${round(w.width)})`, window: w }))
  const { min, max } = image.pixelRange
  presets.push({ id: 'full', label: `Full range (${round(min)}–${round(max)})`, window: { center: (min + max) / 2, width: Math.max(max - min, 1) } })
  const [low, high] = percentileRange(image.pixels, 0.01, 0.99)
  presets.push({ id: 'robust', label: 'Auto (1–99 %)', window: { center: (low + high) / 2, width: Math.max(high - low, 1) } })
  if (image.modality === 'CT') {
    presets.push(
      { id: 'ct-lung', label: 'CT lung (−600/1500)', window: { center: -600, width: 1500 } },
      { id: 'ct-mediastinum', label: 'CT mediastinum (40/400)', window: { center: 40, width: 400 } },
      { id: 'ct-bone', label: 'CT bone (400/1800)', window: { center: 400, width: 1800 } },
    )
  }
  return presets
}

/** Approximate percentiles from a 4096-bin histogram: exact enough for a display window, and fast on 4 M pixels. */
export function percentileRange(pixels: Float32Array, low: number, high: number): [number, number] {
  const { min, max } = findRange(pixels)
  if (max <= min) return [min, max]
  const bins = 4096
  const counts = new Uint32Array(bins)
  const scale = (bins - 1) / (max - min)
  for (let i = 0; i < pixels.length; i++) counts[Math.round((pixels[i] - min) * scale)]++
  const at = (fraction: number) => {
    const target = fraction * pixels.length
    let seen = 0
    for (let b = 0; b < bins; b++) {
      seen += counts[b]
      if (seen >= target) return min + b / scale
    }
    return max
  }
  return [at(low), at(high)]
}

function round(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3)
}
