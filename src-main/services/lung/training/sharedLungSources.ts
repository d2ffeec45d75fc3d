import { join } from 'node:path'
import type { FixedPatientSplit, LungMaskSource } from './lungDataset'
import { readColumnByFileName } from './lungDataset'
import { listIndexCsvPairs } from './maskPairs'

/**
 * The validation and held-out patients (covid-chestxray patient ids) of the first shipped lung model (card of
 * 2026-11-26: 21 validation and 32 test radiographs of 15 and 19 patients, drawn by splitByPatient with seed 1
 * before commit 3c0d287 changed how that function orders patients, after which the same seed draws others).
 * Every lung model built from the shared data is scored on these patients, so its numbers compare with the
 * first model's and with each other.
 */
export const SHIPPED_LUNG_SPLIT: FixedPatientSplit = {
  origin: 'the validation and held-out patients of the first shipped lung model (2026-11-26), SHIPPED_LUNG_SPLIT in sharedLungSources.ts',
  test: ['5', '6', '7', '13', '59', '63', '97', '100', '104', '113', '115', '139', '140', '144', '149', '155', '158', '167', '174'],
  validation: ['9', '37', '45', '47', '48', '54', '75', '84', '92', '107', '110', '132', '142', '146', '156'],
}

/**
 * The two lung-mask sets of the project's shared data (`../shared/data`, see its README), in priority order
 * for duplicates: the radiologist-drawn set first. Patient ids and image sources come from covid-chestxray's
 * tables, since both sets annotate radiographs of that collection.
 */
export async function sharedLungSources(dataRoot: string): Promise<LungMaskSource[]> {
  const covid = join(dataRoot, 'covid-chestxray')
  const patients = await readColumnByFileName([join(covid, 'frontal_xray_labels.csv'), join(covid, 'metadata.csv')])
  const urls = await readColumnByFileName([join(covid, 'metadata.csv')], 'filename', 'url')
  const patientOf = (fileName: string) => patients.get(fileName)
  const originOf = (fileName: string) => websiteOf(urls.get(fileName))
  const radiologist = join(dataRoot, 'lungmask-radiologist')
  const v7 = join(covid, 'lung-masks-v7')
  return [
    {
      id: 'lungmask-radiologist',
      location: 'shared/data/lungmask-radiologist (GeneralBlockchain/covid-19-chest-xray-segmentations-dataset)',
      convention: 'hand-drawn left + right lung fields (union), drawn generously to the rib margin; heart and mediastinum excluded',
      licence: 'CC BY 4.0 (images: per-image licences of covid-chestxray-dataset)',
      list: () => listIndexCsvPairs({ sourceId: 'lungmask-radiologist', indexCsv: join(radiologist, 'INDEX.csv'), imagesDir: join(radiologist, 'images'), masksDir: join(radiologist, 'masks') }),
      patientOf,
      originOf,
    },
    {
      id: 'covid-chestxray/lung-masks-v7',
      location: 'shared/data/covid-chestxray/lung-masks-v7 (V7 Labs human-reviewed masks)',
      convention: 'lungs including the region behind the heart; tighter along the mediastinum than the radiologist set',
      licence: 'CC BY (images: per-image licences of covid-chestxray-dataset)',
      list: () => listIndexCsvPairs({ sourceId: 'covid-chestxray/lung-masks-v7', indexCsv: join(v7, 'INDEX.csv'), imagesDir: join(covid, 'images'), masksDir: v7 }),
      patientOf,
      originOf,
    },
  ]
}

/**
 * The website a radiograph was taken from, as the collection's metadata `url` names it (`radiopaedia.org`,
 * `pubs.rsna.org`…, without `www.`): the closest the metadata comes to an acquisition source, since the
 * collection gathered its images from publications and teaching sites rather than from hospitals' archives.
 */
export function websiteOf(url: string | undefined): string | undefined {
  if (!url) return undefined
  try {
    return new URL(url).hostname.replace(/^www\./, '') || undefined
  } catch {
    return undefined
  }
}
