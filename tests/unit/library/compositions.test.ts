import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkLeakage, composeDataset } from '@shared/datasets'
import type { LibraryService } from '@shared/library/types'
import { openLibrary, temporaryFolder, writePng, writeText } from './support'

let source: { path: string; cleanup: () => void }
let data: { path: string; cleanup: () => void }
let library: LibraryService

beforeAll(async () => {
  source = temporaryFolder('cxr-compose-')
  data = temporaryFolder('cxr-data-')
  // 40 images of 20 patients, half COVID+, half PA.
  const rows = Array.from({ length: 40 }, (_, index) => [`i${index}.png`, `p${index % 20}`, index % 4 < 2 ? 'PA' : 'AP', index % 2 === 0 ? '1' : '0'])
  await Promise.all(rows.map((row, index) => writePng(join(source.path, row[0]), index + 1, { width: 8, height: 8 })))
  writeText(join(source.path, 'labels.csv'), ['file,patient,view,covid', ...rows.map((row) => row.join(','))].join('\n'))
  library = openLibrary(data.path)
  const { jobId } = await library.startImport({
    spec: {
      kind: 'csv',
      dataset: { id: 'covid' },
      csvPath: join(source.path, 'labels.csv'),
      fileColumn: 'file',
      label: { kind: 'column', column: 'covid', values: { '1': 'COVID+', '0': 'COVID-' } },
      patient: { kind: 'column', column: 'patient' },
      viewColumn: 'view',
      thumbnails: false,
    },
  })
  await library.waitForImport({ jobId })
})

afterAll(async () => {
  await library.close()
  source.cleanup()
  data.cleanup()
})

describe('compositions in the library', () => {
  it('feeds composeDataset and stores its result so it reloads exactly', async () => {
    const records = await library.imageRecords({ datasetIds: ['covid'] })
    expect(records).toHaveLength(40)
    // The table's patient ids arrive pseudonymised (keyed hashes), as DICOM ones do.
    expect(records[0]).toEqual({ imageId: 'i0.png', datasetId: 'covid', patientId: expect.stringMatching(/^P-[0-9a-f]{16}$/), label: 'COVID+', contentHash: expect.stringMatching(/^[0-9a-f]{64}$/), view: 'PA' })

    const composition = composeDataset(
      {
        name: 'COVID only, PA',
        primary: ['covid'],
        balance: 'none',
        seed: 7,
        labelMapping: { covid: { 'COVID+': 'positive', 'COVID-': 'negative' } },
        testPolicy: { covid: { kind: 'count', positive: 2, negative: 1 } },
        views: { covid: ['PA'] },
      },
      records,
    )
    expect(checkLeakage(composition).ok).toBe(true)
    expect(composition.excluded.length).toBe(20)

    const saved = await library.saveComposition({ composition, name: 'Run 1 data' })
    expect(saved).toMatchObject({ name: 'Run 1 data', specName: 'COVID only, PA', seed: 7, datasetIds: ['covid'], assignedCount: 20, excludedCount: 20 })
    expect(await library.listCompositions()).toEqual([saved])
    const loaded = await library.loadComposition({ compositionId: saved.id })
    expect(loaded).toEqual(composition)

    // A composition is a record: it reloads even after its dataset is gone.
    await library.deleteDataset({ datasetId: 'covid' })
    expect(await library.loadComposition({ compositionId: saved.id })).toEqual(composition)
    await library.deleteComposition({ compositionId: saved.id })
    await expect(library.loadComposition({ compositionId: saved.id })).rejects.toMatchObject({ code: 'not-found' })
    expect(await library.listDatasets()).toEqual([])
  })
})
