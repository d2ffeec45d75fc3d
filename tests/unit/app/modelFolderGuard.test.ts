import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createAppServices } from '../../../src-main/app/createServices'

describe('lung model folders from the renderer', () => {
  it('segmenting a dataset with a folder that is not an installed lung model is refused', async () => {
    const app = createAppServices({ dataFolder: mkdtempSync(join(tmpdir(), 'cxr-guard-')), mode: 'browser', env: { CXR_BACKEND: 'cpu' } })
    await expect(app.handlers.lungMasks.segmentDataset({ datasetId: 'any', modelFolder: '/etc' })).rejects.toThrow('/etc is not an installed lung model')
  })
})
