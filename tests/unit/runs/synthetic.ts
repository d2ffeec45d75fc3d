import { memoryInputSet, type InputSet } from '../../../src-main/services/inputs/inputSet'

/**
 * A separable toy task at `size`²: class 1 has a bright blob in the left half, class 0 in the right half, with
 * noise. Deterministic from `seed`.
 */
export function blobSet(count: number, size: number, seed: number): InputSet & { images: Float32Array } {
  let state = seed >>> 0
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
  const images = new Float32Array(count * size * size)
  const labels = new Int32Array(count)
  for (let item = 0; item < count; item++) {
    const label = item % 2
    labels[item] = label
    const cx = (label === 1 ? 0.25 : 0.75) * size + (random() - 0.5) * size * 0.15
    const cy = (0.3 + random() * 0.4) * size
    const radius = size * 0.15
    for (let row = 0; row < size; row++) {
      for (let column = 0; column < size; column++) {
        const d2 = (row - cy) ** 2 + (column - cx) ** 2
        images[(item * size + row) * size + column] = Math.exp(-d2 / (2 * radius * radius)) * 0.8 + random() * 0.2
      }
    }
  }
  return Object.assign(memoryInputSet(images, labels, size), { images })
}
