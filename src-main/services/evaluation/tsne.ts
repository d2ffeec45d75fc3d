import { TSNE } from '@saehrimnir/druidjs'

/** Settings of {@link tsne2d}. */
export interface Tsne2dOptions {
  perplexity: number
  iterations: number
  seed: number
}

/**
 * 2-D t-SNE (van der Maaten & Hinton 2008, as the paper's Fig. 3) by druid.js. The perplexity is capped at
 * (n − 1) / 3: above it the Gaussian bandwidth search has too few neighbours and the map is noise. Fewer than
 * 3 points are placed on a line (t-SNE needs neighbours to mean anything).
 */
export function tsne2d(values: number[][], options: Tsne2dOptions, onIteration?: (done: number, total: number) => void): [number, number][] {
  const n = values.length
  if (n === 0) return []
  if (n < 3) return values.map((_, index) => [index, 0])
  const perplexity = Math.max(1, Math.min(options.perplexity, (n - 1) / 3))
  // The generator takes the same steps as transform(); it lets the job report how far it is.
  let projection: number[][] = []
  let done = 0
  for (const step of new TSNE(values, { perplexity, d: 2, seed: options.seed }).generator(options.iterations)) {
    projection = step as number[][]
    done += 1
    if (done % 25 === 0 || done === options.iterations) onIteration?.(done, options.iterations)
  }
  return projection.map((point) => [point[0], point[1]])
}
