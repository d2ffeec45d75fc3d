import { describe, it, expect } from 'vitest'
import { composeDataset, CompositionError, exportComposition, importComposition, paperPresets } from '@shared/datasets'
import type { ImageRecord } from '@shared/datasets'
import { paperDatasets } from './syntheticDatasets'

const data = paperDatasets()
const library = [...data.CORDA, ...data['COVID-ChestXRay'], ...data.ChestXRay]
const roles = { CORDA: 'corda', ChestXRay: 'kermany', 'COVID-ChestXRay': 'cohen' }

describe('exportComposition / importComposition', () => {
  for (const name of ['CORDA&ChestXRay', 'CORDA&COVID-ChestXRay'] as const) {
    it(`${name}: export → JSON → import gives an identical composition`, () => {
      const composition = composeDataset(paperPresets[name](roles, { seed: 5 }), library)
      const json = JSON.stringify(exportComposition(composition))
      // Another workstation: different order, and images of other datasets besides.
      const elsewhere = [...library].reverse()
      const result = importComposition(json, elsewhere)
      expect(result.ok).toBe(true)
      if (!result.ok) return
      expect(result.composition).toEqual(composition)
      // The same file also parses from an object, and its rules are enough to recompute the same sets.
      expect(importComposition(JSON.parse(json), library)).toEqual(result)
      expect(composeDataset(result.composition.spec, elsewhere)).toEqual(composition)
    })
  }

  it('carries rules and hashes, not just a seed', () => {
    const composition = composeDataset(paperPresets.CORDA(roles), library)
    const file = exportComposition(composition)
    expect(file).toMatchObject({ format: 'cxr-workstation.composition', version: 1, algorithm: 'cxr-composition/1', seed: 0 })
    expect(file.spec.balance).toBe('subsample')
    expect(file.images).toHaveLength(composition.assignments.length)
    expect(file.images[0]).toEqual({
      contentHash: composition.assignments[0].contentHash,
      imageId: composition.assignments[0].imageId,
      datasetId: 'corda',
      split: 'train',
      binaryLabel: composition.assignments[0].binaryLabel,
      source: 'primary',
    })
  })

  it('matches by content hash when ids differ on the other workstation', () => {
    const composition = composeDataset(paperPresets.CORDA(roles), library)
    const renamed: ImageRecord[] = data.CORDA.map((image) => ({ ...image, imageId: `local-${image.imageId}` }))
    const result = importComposition(exportComposition(composition), renamed)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.composition.assignments.map((image) => image.contentHash).sort()).toEqual(composition.assignments.map((image) => image.contentHash).sort())
    expect(result.composition.counts).toEqual(composition.counts)
  })

  it('reports missing images by hash, dataset and split', () => {
    const composition = composeDataset(paperPresets['CORDA&ChestXRay'](roles), library)
    const test = composition.assignments.filter((image) => image.split === 'test')
    const gone = new Set([test[0].contentHash, test[test.length - 1].contentHash])
    const result = importComposition(exportComposition(composition), library.filter((image) => !gone.has(image.contentHash)))
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.missing.map((image) => image.contentHash).sort()).toEqual([...gone].sort())
    expect(result.message).toMatch(/^2 image\(s\) of composition "CORDA&ChestXRay" are not in this library: "corda" 1 \(test 1\); "kermany" 1 \(test 1\)\./)
    for (const hash of gone) expect(result.message).toContain(hash)
  })

  it('only warns when excluded images are missing', () => {
    const composition = composeDataset(paperPresets.CORDA(roles), library)
    const droppedHash = composition.excluded[0].contentHash
    const result = importComposition(exportComposition(composition), library.filter((image) => image.contentHash !== droppedHash))
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.warnings).toEqual(['1 excluded image(s) of the export are not in this library (not needed to rebuild the sets).'])
    expect(result.composition.excluded).toHaveLength(composition.excluded.length - 1)
  })

  it('rejects a file that is not a composition export', () => {
    expect(() => importComposition('{not json', library)).toThrow(CompositionError)
    expect(() => importComposition('{not json', library)).toThrow(/not valid JSON/)
    expect(() => importComposition({ format: 'something else' }, library)).toThrow(/Not a composition export: format/)
  })
})
