import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportSpecInput } from '@shared/library/importSpecs'
import type { LibraryService } from '@shared/library/types'
import { createImagingService } from '../../../src-main/services/imaging'
import { writeDicom } from '../../../src-main/services/imaging/fixtures/writeDicom'
import type { DecodedForImport, DecodeImage } from '../../../src-main/services/datasets/import/outcomes'
import { createThumbnailCache } from '../../../src-main/services/library/thumbnails'
import { openLibrary, temporaryFolder, writeText } from './support'

const imaging = createImagingService()
const decode = (path: string, bytes: Uint8Array) => imaging.decodeBuffer(bytes, path)
let source: { path: string; cleanup: () => void }
const cleanups: Array<() => void> = []

/** Replace an explicit-VR element's value by one of the same length (the fixture writer's defaults are fixed). */
function setElement(bytes: Uint8Array, group: number, element: number, vr: string, value: string): Uint8Array {
  const header = [group & 0xff, group >> 8, element & 0xff, element >> 8, vr.charCodeAt(0), vr.charCodeAt(1)]
  const buffer = Buffer.from(bytes)
  for (let at = 0; at < buffer.length - header.length; at++) {
    if (!header.every((byte, index) => buffer[at + index] === byte)) continue
    const length = buffer.readUInt16LE(at + 6)
    if (length !== value.length) throw new Error(`element (${group.toString(16)},${element.toString(16)}) holds ${length} bytes, not ${value.length}`)
    buffer.write(value, at + 8, 'latin1')
    return buffer
  }
  throw new Error(`element (${group.toString(16)},${element.toString(16)}) not found`)
}

function dicomFile(options: { seed: number; patientId?: string; study: string; view: 'PA' | 'AP'; modality: 'CR' | 'CT' }): Uint8Array {
  const pixels = Array.from({ length: 64 }, (_, index) => (index * options.seed * 13) % 4096)
  let bytes = writeDicom({ rows: 8, columns: 8, pixels, bitsAllocated: 16, bitsStored: 12, omit: options.patientId ? [] : [0x00100020] })
  if (options.patientId) bytes = setElement(bytes, 0x0010, 0x0020, 'LO', options.patientId)
  bytes = setElement(bytes, 0x0020, 0x000d, 'UI', `1.2.826.0.1.3680043.10.1.${options.study}`)
  bytes = setElement(bytes, 0x0018, 0x5101, 'CS', options.view)
  return setElement(bytes, 0x0008, 0x0060, 'CS', options.modality)
}

function spec(overrides: Partial<Extract<ImportSpecInput, { kind: 'dicom-folder' }>> = {}): ImportSpecInput {
  return { kind: 'dicom-folder', dataset: { id: 'ward' }, rootFolder: join(source.path, 'ward'), label: { kind: 'fixed', value: 'COVID+' }, ...overrides }
}

async function importInto(library: LibraryService, input: ImportSpecInput) {
  const { jobId } = await library.startImport({ spec: input })
  return library.waitForImport({ jobId })
}

function dataFolder(): string {
  const folder = temporaryFolder('cxr-data-')
  cleanups.push(folder.cleanup)
  return folder.path
}

beforeAll(() => {
  source = temporaryFolder('cxr-dicom-')
  cleanups.push(source.cleanup)
  const ward = join(source.path, 'ward')
  writeText(join(ward, 'notes.txt'), 'ward round')
  writeFileSync(join(ward, 'a.dcm'), dicomFile({ seed: 1, patientId: 'PAT-000001', study: '2', view: 'PA', modality: 'CR' }))
  writeFileSync(join(ward, 'b.dcm'), dicomFile({ seed: 2, patientId: 'PAT-000001', study: '2', view: 'AP', modality: 'CR' }))
  writeFileSync(join(ward, 'c.dcm'), dicomFile({ seed: 3, patientId: 'PAT-000002', study: '3', view: 'PA', modality: 'CR' }))
  // No extension and no Patient ID: recognised by content, grouped by its study.
  writeFileSync(join(ward, 'd'), dicomFile({ seed: 4, study: '4', view: 'PA', modality: 'CR' }))
  writeFileSync(join(ward, 'ct.dcm'), dicomFile({ seed: 5, patientId: 'PAT-000003', study: '5', view: 'PA', modality: 'CT' }))
  writeText(join(ward, 'broken.dcm'), 'DICOM? no.')
})

afterAll(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

describe('DICOM folder import', () => {
  it('takes patients, studies and views from the headers, pseudonymised, and keeps PHI out of summaries', async () => {
    const folder = dataFolder()
    // PHI follows the user's setting (the System page), never a request flag.
    let showPhi = false
    const library = openLibrary(folder, { decode, showPhi: () => showPhi })
    try {
      const report = await importInto(library, spec())
      expect(report.images).toMatchObject({ planned: 6, imported: 5, failed: 1 })
      expect(report.issueCounts).toEqual({ 'not-dicom': 1, 'patient-missing': 1, unreadable: 1 })
      expect(report.issues.find((issue) => issue.code === 'unreadable')!.message).toContain('broken.dcm')

      const summary = await library.getDataset({ datasetId: 'ward' })
      expect(summary).toMatchObject({ sourceKind: 'dicom-folder', imageCount: 5, patientCount: 4, pseudonymised: true, viewCounts: { PA: 4, AP: 1 } })
      expect(summary.phi).toBeUndefined()
      await expect(library.getDataset({ datasetId: 'ward', includePhi: true } as never)).rejects.toMatchObject({ code: 'invalid-request' })

      const page = await library.listImages({ datasetId: 'ward' })
      const text = JSON.stringify(page)
      for (const secret of ['PAT-000001', 'Fixture^Test', '1.2.826.0.1.3680043.10.1.2']) expect(text).not.toContain(secret)
      const [a, b] = page.images
      expect(a.patientId).toMatch(/^P-[0-9a-f]{16}$/)
      expect(b.patientId).toBe(a.patientId)
      expect(a.studyId).toMatch(/^S-[0-9a-f]{16}$/)
      expect(a.attributes).toMatchObject({ modality: 'CR', bitsStored: '12' })
      expect(a.phi).toBeUndefined()

      await expect(library.listImages({ datasetId: 'ward', includePhi: true } as never)).rejects.toMatchObject({ code: 'invalid-request' })
      showPhi = true
      expect((await library.getDataset({ datasetId: 'ward' })).phi).toEqual({ sexCounts: { O: 5 } })
      const withPhi = await library.listImages({ datasetId: 'ward' })
      expect(withPhi.images[0].phi).toMatchObject({ patientId: 'PAT-000001', patientName: 'Fixture^Test', studyInstanceUid: '1.2.826.0.1.3680043.10.1.2' })
      const thumbnails = createThumbnailCache(folder)
      for (const image of page.images) expect(existsSync(thumbnails.pathOf(image.contentHash))).toBe(true)
    } finally {
      await library.close()
    }
  })

  it('gives a patient the same pseudonym on this workstation and another one elsewhere', async () => {
    const here = openLibrary(dataFolder(), { decode })
    const elsewhere = openLibrary(dataFolder(), { decode })
    try {
      await importInto(here, spec({ thumbnails: false }))
      await importInto(here, spec({ dataset: { id: 'ward-again' }, thumbnails: false }))
      await importInto(elsewhere, spec({ thumbnails: false }))
      await importInto(elsewhere, spec({ dataset: { id: 'ward-raw' }, thumbnails: false, pseudonymise: false }))
      const patients = async (library: LibraryService, datasetId: string) => (await library.imageRecords({ datasetIds: [datasetId] })).map((record) => record.patientId)
      expect(await patients(here, 'ward-again')).toEqual(await patients(here, 'ward'))
      expect(await patients(elsewhere, 'ward')).not.toEqual(await patients(here, 'ward'))
      expect(await patients(elsewhere, 'ward-raw')).toEqual(['PAT-000001', 'PAT-000001', 'PAT-000002', 'PAT-000003', 'study:1.2.826.0.1.3680043.10.1.4'])
      expect((await elsewhere.getDataset({ datasetId: 'ward-raw' })).pseudonymised).toBe(false)
    } finally {
      await here.close()
      await elsewhere.close()
    }
  })

  it('keeps only the modalities asked for, and previews header counts without identifiers', async () => {
    const library = openLibrary(dataFolder(), { decode })
    try {
      const preview = await library.previewImport({ spec: spec({ modalities: ['CR', 'DX'] }) })
      expect(preview.dicom).toEqual({ modalities: { CR: 4, CT: 1, unreadable: 1 }, views: { PA: 4, AP: 1 }, patients: 4, studies: 4, withoutPatientId: 1 })
      expect(JSON.stringify(preview)).not.toContain('PAT-000001')
      const report = await importInto(library, spec({ modalities: ['CR', 'DX'], thumbnails: false }))
      expect(report.images).toMatchObject({ imported: 4, skipped: 1, failed: 1 })
      expect(report.issues.find((issue) => issue.code === 'modality-excluded')!.message).toBe('ct.dcm: modality CT is not among CR, DX')
    } finally {
      await library.close()
    }
  })

  it('goes through the injected decoder, so a fake one can stand in for the imaging service', async () => {
    const calls: string[] = []
    const fake: DecodeImage = async (path) => {
      calls.push(path)
      const decoded: DecodedForImport = {
        source: 'dicom',
        width: 2,
        height: 2,
        pixels: new Float32Array([0, 1, 2, 3]),
        pixelRange: { min: 0, max: 3 },
        voi: { windows: [], luts: [], function: 'LINEAR' },
        invert: false,
        tags: { modality: 'DX', viewPosition: 'LL' },
        patient: { patientId: 'FAKE-1', sex: 'F' },
        photometricInFile: 'MONOCHROME2',
        transferSyntax: { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian', lossy: false },
        bitsStored: 8,
      }
      return decoded
    }
    const library = openLibrary(dataFolder(), { decode: fake })
    try {
      const report = await importInto(library, spec({ pseudonymise: false }))
      expect(report.images).toMatchObject({ imported: 6, failed: 0 })
      expect(calls).toHaveLength(6)
      expect(await library.getDataset({ datasetId: 'ward' })).toMatchObject({ patientCount: 1, viewCounts: { LL: 6 } })
    } finally {
      await library.close()
    }
  })
})
