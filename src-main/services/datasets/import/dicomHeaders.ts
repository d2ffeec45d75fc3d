import { open } from 'node:fs/promises'
import dicomParser from 'dicom-parser'
import type { DataSet } from 'dicom-parser'

/** Header facts of a DICOM folder for the preview: counts only, never the identifiers themselves. */
export interface DicomHeaderSummary {
  modalities: Record<string, number>
  views: Record<string, number>
  patients: number
  studies: number
  withoutPatientId: number
}

/** Bytes read per file: headers sit before the pixel data, which is all the preview needs. */
const HEADER_BYTES = 256 * 1024

/**
 * Summarise the headers of DICOM files without decoding pixels, so the wizard can show "17 files, 9 patients,
 * CR 14, DX 1" before the import. Patient and study ids are counted, not returned (they are PHI). Files whose
 * header cannot be parsed count under modality `unreadable`; the import itself will name their problem.
 * @param paths the DICOM files.
 */
export async function summariseDicomHeaders(paths: readonly string[]): Promise<DicomHeaderSummary> {
  const modalities: Record<string, number> = {}
  const views: Record<string, number> = {}
  const patients = new Set<string>()
  const studies = new Set<string>()
  let withoutPatientId = 0
  for (const path of paths) {
    const dataSet = await readHeader(path)
    const text = (tag: string) => dataSet?.string(tag)?.trim() || undefined
    const modality = dataSet ? (text('x00080060') ?? 'unknown') : 'unreadable'
    modalities[modality] = (modalities[modality] ?? 0) + 1
    if (!dataSet) continue
    const view = text('x00185101') ?? 'unknown'
    views[view] = (views[view] ?? 0) + 1
    const patient = text('x00100020')
    const study = text('x0020000d')
    if (patient) patients.add(patient)
    else {
      withoutPatientId += 1
      // As in the import: without a Patient ID the study stands for the patient.
      patients.add(`study:${study ?? path}`)
    }
    if (study) studies.add(study)
  }
  return { modalities, views, patients: patients.size, studies: studies.size, withoutPatientId }
}

async function readHeader(path: string): Promise<DataSet | undefined> {
  let bytes: Uint8Array
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(HEADER_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, HEADER_BYTES, 0)
    bytes = buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
  try {
    return dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' })
  } catch (error) {
    // dicom-parser attaches what it parsed before running out of bytes; the header is usually all there.
    return (error as { dataSet?: DataSet }).dataSet
  }
}
