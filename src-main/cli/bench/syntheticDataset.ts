import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { mulberry32 } from '@shared/metrics/random'
import { syntheticRadiograph } from '../../services/imaging/fixtures/syntheticRadiograph'

/** A generated dataset laid out as a CSV import expects it. */
export interface SyntheticDataset {
  csvPath: string
  imageFolder: string
  images: number
  patients: number
  bytes: number
}

/**
 * Writes `count` synthetic chest radiographs (uncompressed 16-bit DICOM, `size`² pixels) and a `labels.csv` naming
 * each file with its label (`positive` images carry opacities) and patient (one to three images each, one label
 * per patient, as the composition's patient-wise split expects). One image in memory at a time.
 */
export async function writeSyntheticDataset(folder: string, count: number, size: number, seed = 1): Promise<SyntheticDataset> {
  const imageFolder = join(folder, 'images')
  await mkdir(imageFolder, { recursive: true })
  const random = mulberry32(seed)
  const rows = ['file,label,patient']
  let bytes = 0
  let patient = 0
  for (let index = 0; index < count; ) {
    patient += 1
    const positive = random() < 0.5
    const perPatient = 1 + Math.floor(random() * 3)
    for (let instance = 0; instance < perPatient && index < count; instance++, index++) {
      const file = `image-${String(index).padStart(6, '0')}.dcm`
      const patientId = `P${String(patient).padStart(6, '0')}`
      const { dicom } = syntheticRadiograph({ size, seed: seed * 1_000_003 + index, opacities: positive, patientId, instance })
      await writeFile(join(imageFolder, file), dicom)
      bytes += dicom.length
      rows.push(`${file},${positive ? 'positive' : 'negative'},${patientId}`)
    }
  }
  const csvPath = join(folder, 'labels.csv')
  await writeFile(csvPath, `${rows.join('\n')}\n`)
  return { csvPath, imageFolder, images: count, patients: patient, bytes }
}
