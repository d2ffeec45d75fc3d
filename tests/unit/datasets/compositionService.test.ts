import { describe, expect, it } from 'vitest'
import type { ImageRecord } from '@shared/datasets/types'
import type { LibraryService } from '@shared/library/types'
import { createCompositionService } from '../../../src-main/services/datasets/compositionService'

function records(): ImageRecord[] {
  return Array.from({ length: 40 }, (_, i) => ({
    imageId: `img${i}`,
    datasetId: 'ds',
    patientId: `p${i}`,
    label: i % 2 ? 'COVID-19' : 'Normal',
    contentHash: `hash${i}`,
  }))
}

const library = { imageRecords: async () => records() } as unknown as LibraryService
const spec = { name: 'test', primary: ['ds'], borrow: [], balance: 'none' as const, testFraction: 0.3, validationFraction: 0.2, seed: 0, labelMapping: { ds: { 'COVID-19': 'positive' as const, Normal: 'negative' as const } } }

describe('composition service', () => {
  it('builds a leak-free composition from the library', async () => {
    const { composition, leakage } = await createCompositionService({ library }).build(spec)
    expect(composition.assignments).toHaveLength(40)
    expect(leakage.ok).toBe(true)
  })

  it('leaves out images whose lung mask was flagged bad, and says so', async () => {
    const service = createCompositionService({ library, flaggedImages: async () => new Set(['ds/img3', 'ds/img4']) })
    const { composition } = await service.build(spec)
    expect(composition.assignments.map((a) => a.imageId)).not.toContain('img3')
    expect(composition.assignments).toHaveLength(38)
    expect(composition.warnings).toContain('2 image(s) left out: their lung mask was flagged bad in review')
  })
})
