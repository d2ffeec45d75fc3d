/**
 * A normalised 1-D Gaussian of standard deviation `sigma`, sampled at integer
 * offsets -h..h with h = ceil(truncate * sigma); returns the 2h+1 weights (sum 1).
 *
 * Truncating at 4 sigma (scipy.ndimage's default) loses ~0.006 % of the mass, so
 * the variance of the sampled kernel is within 0.2 % of sigma^2; 3 sigma would lose
 * 2.7 % of the variance for one fewer multiply per 3 taps.
 */
export function gaussianKernel(sigma: number, truncate = 4): Float64Array {
  if (!(sigma > 0) || !Number.isFinite(sigma)) {
    throw new RangeError(`gaussianKernel: sigma must be a positive finite number, got ${sigma}`)
  }
  if (!(truncate > 0) || !Number.isFinite(truncate)) {
    throw new RangeError(`gaussianKernel: truncate must be a positive finite number, got ${truncate}`)
  }
  const halfWidth = Math.max(1, Math.ceil(truncate * sigma))
  const weights = new Float64Array(2 * halfWidth + 1)
  const denominator = 2 * sigma * sigma
  let sum = 0
  for (let offset = -halfWidth; offset <= halfWidth; offset++) {
    const weight = Math.exp(-(offset * offset) / denominator)
    weights[offset + halfWidth] = weight
    sum += weight
  }
  for (let index = 0; index < weights.length; index++) weights[index] /= sum
  return weights
}
