/**
 * The jet-like ramp Grad-CAM maps are shown in (blue: no evidence, red: the most), as in Selvaraju et al.'s
 * figures and most saliency tools, so a reader recognises it. Shared by the app's views and the HTML report.
 */
export function heatColour(value: number): [number, number, number] {
  const v = Math.max(0, Math.min(1, value))
  const channel = (centre: number) => Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - centre))))
  return [channel(3), channel(2), channel(1)]
}
