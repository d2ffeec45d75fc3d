/**
 * The scale benchmark's whole path at a small N: synthetic DICOMs written, imported by the import worker,
 * composed, prepared and trained by the runs worker twice (the second on the filled cache), then removed.
 * The figures are speeds of this machine, so the test checks that each stage really ran on every image, not how fast.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createScaleSuite } from '../../../src-main/cli/bench/scaleSuite'
import { syntheticChestPixels } from '../../../src-main/services/imaging/fixtures/syntheticRadiograph'

const parent = mkdtempSync(join(tmpdir(), 'cxr-scale-test-'))
afterAll(() => rmSync(parent, { recursive: true, force: true }))

describe('scale benchmark', () => {
  it('generates distinct chest-like images: dark lungs inside a brighter body, noise, 12 bits', () => {
    const size = 128
    const one = syntheticChestPixels({ size, seed: 1, opacities: false })
    const two = syntheticChestPixels({ size, seed: 2, opacities: false })
    expect(Math.max(...one)).toBeLessThan(4096)
    // Lung fields (a third of the way down, a fifth in from each side) are darker than the spine between them.
    const at = (pixels: Uint16Array, u: number, v: number) => pixels[Math.round(v * size) * size + Math.round(u * size)]
    for (const pixels of [one, two]) {
      expect(at(pixels, 0.32, 0.4)).toBeLessThan(at(pixels, 0.5, 0.4) - 300)
      expect(at(pixels, 0.68, 0.4)).toBeLessThan(at(pixels, 0.5, 0.4) - 300)
      // Air outside the body is the darkest.
      expect(at(pixels, 0.02, 0.02)).toBeLessThan(at(pixels, 0.32, 0.4))
    }
    const differing = one.filter((value, index) => value !== two[index]).length
    expect(differing / one.length).toBeGreaterThan(0.9)
  })

  it('imports, composes, prepares and trains N images through the app, then leaves nothing behind', async () => {
    const suite = createScaleSuite({ imageSize: 96, tempFolder: parent, env: { ...process.env, CXR_BACKEND: 'wasm' } })
    const figures = await suite.run({ batch: 4, size: 32, runs: 1, warmup: 0, log: () => undefined, scale: { images: 40, network: 'conv8', preprocessing: 'equalize' } })
    const value = (name: string) => figures.find((figure) => figure.name === name)?.value ?? Number.NaN
    for (const name of ['generate', 'import', 'compose', 'preparation', 'training, first run', 'training, cached', 'engine training step']) expect(value(name), name).toBeGreaterThan(0)
    expect(figures.find((figure) => figure.name === 'import')?.detail).toMatch(/^40 images of 96²/)
    // 40 images: some go to test; every train and validation input was prepared (none was cached before).
    expect(figures.find((figure) => figure.name === 'preparation')?.detail).toMatch(/^(2\d|3\d) inputs/)
    expect(value('cached run ÷ engine step')).toBeGreaterThan(0)
    for (const name of ['import peak RSS', 'first run peak RSS', 'cached run peak RSS']) expect(value(name), name).toBeGreaterThan(50)
    expect(readdirSync(parent)).toEqual([])
  })
})
