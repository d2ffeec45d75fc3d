/**
 * How a filter reads samples outside the image.
 * - `reflect`: mirror including the edge sample (`c b a | a b c`), scipy.ndimage's
 *   default and OpenCV's BORDER_REFLECT.
 * - `reflect101`: mirror excluding the edge sample (`c b | a b c`), OpenCV's
 *   BORDER_REFLECT_101, which its CLAHE uses to pad to whole tiles.
 * - `clamp`: repeat the edge sample (`a a | a b c`), PIL's and skimage's default.
 */
export type BorderMode = 'reflect' | 'reflect101' | 'clamp'

/**
 * Maps any integer index, however far outside `[0, n)`, to an index inside it.
 * Folding by the mirror period (rather than reflecting once) keeps kernels wider
 * than the image valid, which tiny test images and thin crops do hit.
 */
export function borderIndex(index: number, length: number, mode: BorderMode): number {
  if (index >= 0 && index < length) return index
  if (length === 1) return 0
  if (mode === 'clamp') return index < 0 ? 0 : length - 1
  if (mode === 'reflect') {
    const period = 2 * length
    // Adding the period before the second % keeps negatives positive (and avoids -0).
    const folded = ((index % period) + period) % period
    return folded < length ? folded : period - 1 - folded
  }
  const period = 2 * length - 2
  const folded = ((index % period) + period) % period
  return folded < length ? folded : period - folded
}
