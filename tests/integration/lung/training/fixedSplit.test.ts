/**
 * The fixed patient split of lung training: named validation and held-out patients, so every model built from
 * the shared data is scored on the first shipped model's held-out patients.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { encodeGreyPng } from '../../../../src-main/services/imaging/export/png'
import { loadLungDataset, type FixedPatientSplit, type LungMaskSource } from '../../../../src-main/services/lung/training/lungDataset'
import { listMaskFolderPairs } from '../../../../src-main/services/lung/training/maskPairs'
import { SHIPPED_LUNG_SPLIT, sharedLungSources } from '../../../../src-main/services/lung/training/sharedLungSources'
import { hasSharedData, missingDataReason, SHARED_DATA } from '../../../helpers/sharedData'
import { skipWithReason } from '../../../helpers/skip'

/** Six 8×8 radiographs of patients p1..p6 (distinct pictures, so none is dropped as a copy), each with a mask. */
async function sixPatients(): Promise<LungMaskSource> {
  const root = mkdtempSync(join(tmpdir(), 'cxr-fixed-split-'))
  mkdirSync(join(root, 'images'))
  mkdirSync(join(root, 'masks'))
  for (let patient = 1; patient <= 6; patient++) {
    const picture = Uint8Array.from({ length: 64 }, (_, index) => (index * (patient * 37 + 11)) % 251)
    writeFileSync(join(root, 'images', `p${patient}.png`), await encodeGreyPng(picture, 8, 8))
    writeFileSync(join(root, 'masks', `p${patient}.png`), await encodeGreyPng(Uint8Array.from({ length: 64 }, (_, index) => (index % 8 < 4 ? 255 : 0)), 8, 8))
  }
  return {
    id: 'six',
    location: root,
    convention: 'test',
    licence: 'test',
    list: () => listMaskFolderPairs({ sourceId: 'six', imagesDir: join(root, 'images'), masksDir: join(root, 'masks') }),
    patientOf: (fileName) => fileName.replace('.png', ''),
  }
}

const load = async (source: LungMaskSource, fixedSplit: FixedPatientSplit) =>
  loadLungDataset({ sources: [source], inputSize: 8, resizeMode: 'stretch', testFraction: 0.15, validationFraction: 0.1, seed: 1, fixedSplit })

describe('fixed patient split', () => {
  it('puts the named patients in validation and test and every other patient in train', async () => {
    const dataset = await load(await sixPatients(), { origin: 'test lists', test: ['p2', 'p5'], validation: ['p3'] })
    const patients = (side: typeof dataset.train) => side.map((sample) => sample.patientId).sort()
    expect(patients(dataset.test)).toEqual(['p2', 'p5'])
    expect(patients(dataset.validation)).toEqual(['p3'])
    expect(patients(dataset.train)).toEqual(['p1', 'p4', 'p6'])
  })

  it('refuses lists that name a patient twice or one the data lacks', async () => {
    const source = await sixPatients()
    await expect(load(source, { origin: 'test lists', test: ['p2'], validation: ['p2'] })).rejects.toThrow(/patient\(s\) p2 both for validation and for the held-out test/)
    await expect(load(source, { origin: 'test lists', test: ['p2', 'p9'], validation: [] })).rejects.toThrow(/patient\(s\) p9 of the fixed split \(test lists\) have no usable image/)
  })

  it('gives the first shipped model\'s 32 held-out and 21 validation radiographs on the shared data', async (context) => {
    if (!hasSharedData('lungmask-radiologist') || !hasSharedData('covid-chestxray/lung-masks-v7')) return skipWithReason(context, missingDataReason('lungmask-radiologist'))
    const dataset = await loadLungDataset({ sources: await sharedLungSources(SHARED_DATA), inputSize: 16, resizeMode: 'stretch', testFraction: 0.15, validationFraction: 0.1, seed: 1, fixedSplit: SHIPPED_LUNG_SPLIT })
    // Counts of the card of 2026-11-26 (split.images): 157 train, 21 validation, 32 test.
    expect([dataset.train.length, dataset.validation.length, dataset.test.length]).toEqual([157, 21, 32])
    expect(new Set(dataset.test.map((sample) => sample.patientId))).toEqual(new Set(SHIPPED_LUNG_SPLIT.test))
    // Its test images by mask set (evaluation.heldOutBySource): 17 V7, 15 radiologist.
    expect(dataset.test.filter((sample) => sample.pair.sourceId === 'lungmask-radiologist')).toHaveLength(15)
  })
})
