import type { Viewport } from '../../stores/viewerStore'

/** Zoom limits: from a whole chest on a thumbnail to single pixels as big squares. */
export const MIN_ZOOM = 0.02
export const MAX_ZOOM = 40

/** The image point under a screen point of a pane. */
export function screenToImage(px: number, py: number, paneWidth: number, paneHeight: number, viewport: Viewport): { x: number; y: number } {
  return {
    x: viewport.centerX + (px - paneWidth / 2) / viewport.zoom,
    y: viewport.centerY + (py - paneHeight / 2) / viewport.zoom,
  }
}

/** Zooms by `factor` keeping the image point under the cursor where it is. */
export function zoomAround(viewport: Viewport, px: number, py: number, paneWidth: number, paneHeight: number, factor: number): Viewport {
  const anchor = screenToImage(px, py, paneWidth, paneHeight, viewport)
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, viewport.zoom * factor))
  return { zoom, centerX: anchor.x - (px - paneWidth / 2) / zoom, centerY: anchor.y - (py - paneHeight / 2) / zoom }
}

/** Moves the view by a screen-space drag. */
export function panBy(viewport: Viewport, dx: number, dy: number): Viewport {
  return { ...viewport, centerX: viewport.centerX - dx / viewport.zoom, centerY: viewport.centerY - dy / viewport.zoom }
}

/** The whole image, centred, with a small margin. */
export function fitViewport(imageWidth: number, imageHeight: number, paneWidth: number, paneHeight: number): Viewport {
  const zoom = Math.max(MIN_ZOOM, Math.min(paneWidth / imageWidth, paneHeight / imageHeight) * 0.96)
  return { zoom, centerX: imageWidth / 2, centerY: imageHeight / 2 }
}
