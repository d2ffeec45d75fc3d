/**
 * The fractional box radius r = l + a whose "extended box" (2l+1 full taps plus two
 * outer taps of weight a, all over 2r+1) has variance sigma^2 / passes, so that
 * `passes` boxes in a row have variance exactly sigma^2. Formulae [7], [11], [14] of
 * Gwosdek et al., "Theoretical foundations of Gaussian convolution by extended box
 * filtering" (SSVM 2011), the same as Pillow's `_gaussian_blur_radius`.
 */
export function extendedBoxRadius(sigma: number, passes: number): number {
  const variance = (sigma * sigma) / passes
  const boxLength = Math.sqrt(12 * variance + 1)
  const whole = Math.floor((boxLength - 1) / 2)
  const fraction =
    ((2 * whole + 1) * (whole * (whole + 1) - 3 * variance)) / (6 * (variance - (whole + 1) * (whole + 1)))
  return whole + fraction
}
