import { renderDisplayImage } from '@shared/imaging/displayLut'
import { histogramEqualize } from '@shared/imaging/preprocess'
import { toPresentationGrey } from '@shared/imaging/presentation'
import { buildPreviewLevel } from '@shared/imaging/previewLevel'
import { median, timeRuns, type BenchFigure, type BenchSuite } from './figures'

/**
 * What the viewer computes in the renderer for a 2000 × 2000 16-bit image: a window/level render at full
 * resolution (after the drag settles), the same from the ≤ 1024 px preview (each frame while dragging), and the
 * histogram equalization done once when the image opens. A synthetic 12-bit chest-like gradient with noise: the
 * timings depend on pixel count, not content.
 */
export const viewerSuite: BenchSuite = {
  name: 'viewer',
  describe: 'window/level and equalization cost of a 2000 × 2000 16-bit image',
  async run({ runs, warmup, log }) {
    const width = 2000
    const height = 2000
    const pixels = new Float32Array(width * height)
    let seed = 12345
    for (let i = 0; i < pixels.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0
      pixels[i] = Math.round(((i % width) / width) * 3000 + ((seed >>> 16) % 1000))
    }
    const source = { pixels, invert: false, pixelRange: { min: 0, max: 4095 } }
    const window = { center: 2000, width: 3000 }
    const preview = buildPreviewLevel(pixels, width, height)
    const detail = `2000×2000 float pixels, median of ${Math.max(runs, 5)} after ${warmup} warm-up`
    log('viewer: window/level renders…')
    const timesFor = (step: () => void) => timeRuns(async () => step(), warmup, Math.max(runs, 5))
    const full = await timesFor(() => void renderDisplayImage(source, { window }))
    const fromPreview = await timesFor(() => void renderDisplayImage({ ...source, pixels: preview.pixels }, { window }))
    const pyramid = await timesFor(() => void buildPreviewLevel(pixels, width, height))
    const equalize = await timesFor(() => void histogramEqualize(toPresentationGrey({ width, height, pixels, invert: false, pixelRange: source.pixelRange })))
    const figures: BenchFigure[] = [
      { suite: 'viewer', name: 'window render, full resolution', value: median(full), unit: 'ms', detail },
      { suite: 'viewer', name: `window render, preview ${preview.width}×${preview.height}`, value: median(fromPreview), unit: 'ms', detail: `${detail}; per frame while dragging` },
      { suite: 'viewer', name: 'preview level build', value: median(pyramid), unit: 'ms', detail: `${detail}; once per image` },
      { suite: 'viewer', name: 'histogram equalization', value: median(equalize), unit: 'ms', detail: `${detail}; once per image` },
    ]
    return figures
  },
}
