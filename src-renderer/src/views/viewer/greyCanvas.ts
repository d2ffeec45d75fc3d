/** RGBA pixels in a new canvas: the images and layers the panes draw all end here. */
export function rgbaCanvas(rgba: Uint8ClampedArray<ArrayBuffer>, width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  const context = canvas.getContext('2d')
  if (!context) throw new Error('This browser cannot draw images (no 2D canvas)')
  context.putImageData(new ImageData(rgba, width, height), 0, 0)
  return canvas
}

/** Paints an 8-bit grey image into a new canvas, ready to be drawn (scaled, panned) into the panes. */
export function greyCanvas(grey: Uint8ClampedArray, width: number, height: number): HTMLCanvasElement {
  const rgba = new Uint8ClampedArray(width * height * 4)
  for (let i = 0, j = 0; i < grey.length; i++, j += 4) {
    rgba[j] = rgba[j + 1] = rgba[j + 2] = grey[i]
    rgba[j + 3] = 255
  }
  return rgbaCanvas(rgba, width, height)
}

/** Values in [0, 1] as 8-bit grey. */
export function unitToGrey(values: Float32Array): Uint8ClampedArray {
  const grey = new Uint8ClampedArray(values.length)
  for (let i = 0; i < values.length; i++) grey[i] = values[i] * 255 + 0.5
  return grey
}
