import { createRandom, randomInteger } from '@shared/metrics/random'
import type { ImageRecord } from '@shared/datasets'

/** One class of a synthetic dataset: `images` images spread over `patients` patients. */
export interface SyntheticClass {
  label: string
  images: number
  patients: number
  view?: string
}

/**
 * A deterministic synthetic dataset: per class, the first (images − patients) patients have two images and the
 * rest one, so the image and patient totals are exactly the ones asked for (images ≤ 2 × patients).
 * Content hashes are unique unless a test plants a duplicate.
 */
export function syntheticDataset(datasetId: string, classes: readonly SyntheticClass[]): ImageRecord[] {
  const records: ImageRecord[] = []
  classes.forEach((entry, classIndex) => {
    const doubles = entry.images - entry.patients
    if (doubles < 0 || doubles > entry.patients) throw new Error(`cannot spread ${entry.images} images over ${entry.patients} patients`)
    for (let patient = 0; patient < entry.patients; patient += 1) {
      const patientId = `${classIndex}-${patient}`
      for (let image = 0; image < (patient < doubles ? 2 : 1); image += 1) {
        const imageId = `${datasetId}-${patientId}-${image}`
        const record: ImageRecord = { imageId, datasetId, patientId, label: entry.label, contentHash: `hash:${imageId}` }
        if (entry.view) record.view = entry.view
        records.push(record)
      }
    }
  })
  return records
}

/**
 * Random records with many images per patient (1–`maxImages`), each patient of one class, for property tests.
 */
export function randomRecords(options: { seed: number; patients: number; maxImages: number; positiveShare: number; datasetId?: string }): ImageRecord[] {
  const random = createRandom(options.seed)
  const datasetId = options.datasetId ?? 'random'
  const records: ImageRecord[] = []
  for (let patient = 0; patient < options.patients; patient += 1) {
    const label = random() < options.positiveShare ? 'positive' : 'negative'
    const count = 1 + randomInteger(random, options.maxImages)
    for (let image = 0; image < count; image += 1) {
      const imageId = `${datasetId}-p${patient}-i${image}`
      records.push({ imageId, datasetId, patientId: `p${patient}`, label, contentHash: `hash:${imageId}` })
    }
  }
  return records
}

/**
 * The paper's datasets at their published sizes (Section III-A):
 * - CORDA: 447 images of 386 patients, 297 COVID+ and 150 COVID−. The per-class patient split is not published;
 *   256 COVID+ and 130 COVID− patients (41 and 20 of them with two images) add up to the totals.
 * - COVID-ChestXRay: the PA subset of 108 COVID+ and 29 COVID− images, plus 20 AP images the PA filter must drop.
 * - ChestXRay: 1583 normal, 2780 bacterial, 1493 viral images (5856; the paper's "5857" total is one more than
 *   its class counts).
 * - RSNA: 20672 normal and 6012 pneumonia images, one per patient (26684).
 */
export function paperDatasets(): Record<'CORDA' | 'COVID-ChestXRay' | 'ChestXRay' | 'RSNA', ImageRecord[]> {
  return {
    CORDA: syntheticDataset('corda', [
      { label: 'COVID+', images: 297, patients: 256 },
      { label: 'COVID-', images: 150, patients: 130 },
    ]),
    'COVID-ChestXRay': syntheticDataset('cohen', [
      { label: 'COVID-19', images: 108, patients: 80, view: 'PA' },
      { label: 'SARS', images: 11, patients: 8, view: 'PA' },
      { label: 'Streptococcus', images: 10, patients: 9, view: 'PA' },
      { label: 'Pneumocystis', images: 8, patients: 8, view: 'PA' },
      { label: 'COVID-19', images: 20, patients: 15, view: 'AP' },
    ]),
    ChestXRay: syntheticDataset('kermany', [
      { label: 'normal', images: 1583, patients: 1400 },
      { label: 'bacteria', images: 2780, patients: 2000 },
      { label: 'virus', images: 1493, patients: 1200 },
    ]),
    RSNA: syntheticDataset('rsna', [
      { label: 'Normal', images: 20672, patients: 20672 },
      { label: 'Lung Opacity', images: 6012, patients: 6012 },
    ]),
  }
}
