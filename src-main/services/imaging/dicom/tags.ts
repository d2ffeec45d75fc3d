/**
 * The descriptive attributes and the identifying ones, read into two separate objects so that
 * protected health information never rides along with the harmless summary by accident.
 */
import type { DataSet } from 'dicom-parser'
import type { ImageTags, PatientInfo } from '@shared/imaging/types'

/** Read the non-identifying summary of an image (modality, view, device...). */
export function readImageTags(dataSet: DataSet): ImageTags {
  const text = (tag: string) => clean(dataSet.string(tag))
  const imageType = readAll(dataSet, 'x00080008')
  return compact({
    modality: text('x00080060'),
    bodyPartExamined: text('x00180015'),
    viewPosition: text('x00185101'),
    laterality: text('x00200062') ?? text('x00200060'),
    manufacturer: text('x00080070'),
    manufacturerModelName: text('x00081090'),
    seriesDescription: text('x0008103e'),
    studyDescription: text('x00081030'),
    imageType: imageType.length > 0 ? imageType : undefined,
    sopClassUid: text('x00080016'),
    pixelSpacing: readPair(dataSet, 'x00280030'),
    imagerPixelSpacing: readPair(dataSet, 'x00181164'),
    burnedInAnnotation: text('x00280301'),
  })
}

/** Read the identifying attributes (PHI): keep them out of logs and exports. */
export function readPatientInfo(dataSet: DataSet): PatientInfo {
  const text = (tag: string) => clean(dataSet.string(tag))
  return compact({
    patientId: text('x00100020'),
    patientName: text('x00100010'),
    sex: text('x00100040'),
    age: text('x00101010'),
    birthDate: text('x00100030'),
    studyDate: text('x00080020'),
    accessionNumber: text('x00080050'),
    institutionName: text('x00080080'),
    studyInstanceUid: text('x0020000d'),
    seriesInstanceUid: text('x0020000e'),
    sopInstanceUid: text('x00080018'),
  })
}

function readAll(dataSet: DataSet, tag: string): string[] {
  const count = dataSet.numStringValues(tag) ?? 0
  const values: string[] = []
  for (let i = 0; i < count; i++) {
    const value = clean(dataSet.string(tag, i))
    if (value) values.push(value)
  }
  return values
}

function readPair(dataSet: DataSet, tag: string): [number, number] | undefined {
  const first = dataSet.floatString(tag, 0)
  const second = dataSet.floatString(tag, 1)
  return first !== undefined && second !== undefined && Number.isFinite(first) && Number.isFinite(second) ? [first, second] : undefined
}

/** Strip padding and control characters that damaged files put into strings. */
function clean(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  // eslint-disable-next-line no-control-regex
  const cleaned = value.replace(/[\u0000-\u001f]/g, '').trim()
  return cleaned.length > 0 ? cleaned : undefined
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
