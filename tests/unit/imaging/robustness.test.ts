import { describe, expect, it } from 'vitest'
import { decodeImageBuffer } from '../../../src-main/services/imaging/decode'
import { generateFixtureCorpus } from '../../../src-main/services/imaging/fixtures/corpus'
import { damagedCopies, decodeWithin } from './fixtureHelpers'

describe('damaged generated files give an image or an ImagingError, never anything else', () => {
  it('truncations and seeded bit flips of every encoding', async () => {
    const started = performance.now()
    const breaches: string[] = []
    const tally: Record<string, number> = {}
    for (const [name, bytes] of await generateFixtureCorpus()) {
      expect((await decodeWithin(decodeImageBuffer(bytes, name), 5000)).kind, name).toBe('image')
      for (const copy of damagedCopies(bytes, 7, 6)) {
        const outcome = await decodeWithin(decodeImageBuffer(copy.bytes, `${name}.dcm`), 5000)
        const key = outcome.kind === 'imaging-error' ? outcome.code : outcome.kind
        tally[key] = (tally[key] ?? 0) + 1
        if (outcome.kind === 'other') breaches.push(`${name}, ${copy.label}: ${String(outcome.error)}`)
        if (outcome.kind === 'image') expect(outcome.image.stored.length).toBe(outcome.image.width * outcome.image.height * outcome.image.samplesPerPixel)
      }
    }
    console.info('generated-file damage outcomes:', JSON.stringify(tally), `${Math.round(performance.now() - started)} ms`)
    expect(breaches).toEqual([])
  })
})
