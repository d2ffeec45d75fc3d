import { onBeforeUnmount, shallowRef, watch } from 'vue'
import { renderDisplayImage } from '@shared/imaging/displayLut'
import type { useViewerStore } from '../stores/viewerStore'
import { greyCanvas, unitToGrey } from '../views/viewer/greyCanvas'
import { maskLayer } from '../views/viewer/maskCanvases'

/** How long the window must rest before the full-resolution render replaces the preview. */
const SETTLE_MS = 180

/**
 * The canvases the panes draw: the original through the current window, and the equalized image. While the
 * window changes, the original is rendered from a reduced preview (≤ 1024 px) each frame, so dragging stays
 * smooth on a 2000 × 2000 16-bit image; once the window settles, the full resolution is rendered once.
 */
export function useViewerCanvases(store: ReturnType<typeof useViewerStore>) {
  const original = shallowRef<HTMLCanvasElement | null>(null)
  const equalized = shallowRef<HTMLCanvasElement | null>(null)
  const masked = shallowRef<HTMLCanvasElement | null>(null)
  const maskOverlay = shallowRef<HTMLCanvasElement | null>(null)
  let frame = 0
  let settle: ReturnType<typeof setTimeout> | undefined

  function renderOriginal(full: boolean): void {
    const image = store.image
    const level = full ? { width: image?.width ?? 0, height: image?.height ?? 0, pixels: image?.pixels } : store.preview
    if (!image || !level?.pixels) {
      original.value = null
      return
    }
    const grey = renderDisplayImage(
      { pixels: level.pixels, voi: image.voi, invert: image.invert, pixelRange: image.pixelRange },
      store.window ? { window: store.window } : {},
    )
    original.value = greyCanvas(grey, level.width, level.height)
  }

  watch(
    () => store.image,
    (image) => {
      renderOriginal(true)
      equalized.value = image && store.equalized ? greyCanvas(unitToGrey(store.equalized), image.width, image.height) : null
    },
    { immediate: true },
  )

  watch(
    () => store.window,
    () => {
      if (!frame) {
        frame = requestAnimationFrame(() => {
          frame = 0
          renderOriginal(false)
        })
      }
      clearTimeout(settle)
      settle = setTimeout(() => renderOriginal(true), SETTLE_MS)
    },
  )

  watch(
    () => [store.masked, store.segmentation, store.overlay.style] as const,
    ([values, segmentation, style]) => {
      const image = store.image
      masked.value = image && values ? greyCanvas(unitToGrey(values), image.width, image.height) : null
      maskOverlay.value = segmentation ? maskLayer(segmentation.mask, segmentation.width, segmentation.height, style) : null
    },
    { immediate: true },
  )

  onBeforeUnmount(() => {
    if (frame) cancelAnimationFrame(frame)
    clearTimeout(settle)
  })

  return { original, equalized, masked, maskOverlay }
}
