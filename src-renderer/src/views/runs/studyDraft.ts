import type { CompositionSummary, DatasetSummary } from '@shared/library/summaries'
import type { Architecture, Preprocessing } from '@shared/runs/config'
import { covidChestXRayPretrainingStudy, paperNameOfComposition, tableIVStudy, type PaperDataset, type PresetSize, type StudySpecInput } from '@shared/studies'
import { guessPretrainClass } from './runPresets'

/** The preset studies the launcher offers: the pre-training question (Sec. IV-A) and Table IV. */
export const PRESET_STUDIES = ['pretraining', 'table-iv'] as const
/** One of the preset studies. */
export type PresetStudy = (typeof PRESET_STUDIES)[number]

/** What the study launcher's form holds. */
export interface StudyDraft {
  mode: 'preset' | 'custom'
  preset: { study: PresetStudy; training: string; pretrainDataset: string; externals: string[]; size: PresetSize }
  custom: {
    name: string
    architectures: Architecture[]
    preprocessing: Preprocessing[]
    withoutPretraining: boolean
    /** Pre-train on this dataset as a second level ('' for none). */
    pretrainDataset: string
    labelMap: Record<string, string>
    /** Which of the paper's pre-training sets this dataset is ('' for neither). */
    pretrainPaper: 'ChestXRay' | 'RSNA' | ''
    pretrainEpochs: number
    compositions: string[]
    testSets: string[]
    /** The paper's name of each chosen composition ('' when it is none of Table I's). */
    paper: Record<string, PaperDataset | ''>
    seeds: number
    epochs: number
    batchSize: number
    learningRate: number
    inputSize: number
    baseWidth: number | undefined
  }
}

/** A test-only composition (an external test set) has no train images: the summary's counts say so. */
export function isExternal(composition: CompositionSummary): boolean {
  const train = composition.counts.rows.filter((row) => row.split !== 'test')
  return train.every((row) => row.total.positive + row.total.negative === 0)
}

/** The paper's name of a composition built from one of Table I's presets (its recipe keeps the preset's name). */
export function paperNameOf(composition: CompositionSummary | undefined): PaperDataset | '' {
  return paperNameOfComposition(composition) ?? ''
}

/** A dataset whose labels look like Kermany's (normal / bacteria / virus): the likely pre-training set. */
export function likelyPretrainDataset(datasets: DatasetSummary[]): string {
  return datasets.find((dataset) => Object.keys(dataset.classCounts).some((label) => guessPretrainClass(label) === 'virus'))?.id ?? ''
}

/** A first draft from the library: the COVID-ChestXRay composition, Kermany's images and the external sets, when present. */
export function initialDraft(compositions: CompositionSummary[], datasets: DatasetSummary[]): StudyDraft {
  const trainable = compositions.filter((composition) => !isExternal(composition))
  const covid = trainable.find((composition) => composition.specName === 'COVID-ChestXRay') ?? trainable[0]
  const pretrainDataset = likelyPretrainDataset(datasets)
  const externals = compositions.filter(isExternal).map((composition) => composition.id)
  return {
    mode: 'preset',
    preset: { study: 'pretraining', training: covid?.id ?? '', pretrainDataset, externals, size: 'reduced' },
    custom: {
      name: 'my study',
      architectures: ['resnet18'],
      preprocessing: ['full'],
      withoutPretraining: true,
      pretrainDataset: '',
      labelMap: {},
      pretrainPaper: '',
      pretrainEpochs: 5,
      compositions: covid ? [covid.id] : [],
      testSets: externals,
      paper: Object.fromEntries(compositions.map((composition) => [composition.id, paperNameOf(composition)])),
      seeds: 3,
      epochs: 20,
      batchSize: 16,
      learningRate: 0.01,
      inputSize: 224,
      baseWidth: undefined,
    },
  }
}

/**
 * The draft once the library's lists change (they may arrive after the launcher opened): every field the user has
 * not touched since `basis` (the first draft of the old lists) takes its value in `fresh` (the first draft of the new
 * lists); what the user chose stays. Without it, a launcher opened while the library loads keeps empty defaults.
 */
export function followLibrary(draft: StudyDraft, basis: StudyDraft, fresh: StudyDraft): StudyDraft {
  const untouched = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
  const merge = <T extends object>(mine: T, old: T, next: T): T =>
    Object.fromEntries(Object.keys(next).map((key) => {
      const field = key as keyof T
      return [key, untouched(mine[field], old[field]) ? next[field] : mine[field]]
    })) as T
  return { mode: draft.mode, preset: merge(draft.preset, basis.preset, fresh.preset), custom: merge(draft.custom, basis.custom, fresh.custom) }
}

/**
 * The study the form describes, or what is still missing, in words. `compositions` gives the paper's names of the
 * Table IV preset's test sets (a CORDA composition gets the paper's CORDA row beside it).
 */
export function draftSpec(draft: StudyDraft, compositions: CompositionSummary[] = []): StudySpecInput | string {
  if (draft.mode === 'preset') {
    const { study, training, pretrainDataset, externals, size } = draft.preset
    if (!training) return 'Choose the COVID-ChestXRay composition to fine-tune on.'
    if (!pretrainDataset) return 'Choose the pneumonia dataset to pre-train on (Kermany’s ChestXRay training images).'
    const roles = { covidChestXRay: training, pretrainDataset, externalTestSets: externals.filter((id) => id !== training) }
    if (study === 'pretraining') return covidChestXRayPretrainingStudy(roles, size)
    const paperNames = Object.fromEntries(compositions.map((composition) => [composition.id, paperNameOfComposition(composition)]))
    return tableIVStudy({ ...roles, paperNames }, size)
  }
  const custom = draft.custom
  if (!custom.name.trim()) return 'Give the study a name.'
  if (!custom.architectures.length) return 'Choose at least one network.'
  if (!custom.preprocessing.length) return 'Choose at least one input preprocessing.'
  if (!custom.compositions.length) return 'Choose at least one composition to train on.'
  if (!custom.withoutPretraining && !custom.pretrainDataset) return 'Choose “no pre-training”, a pre-training dataset, or both.'
  const unmapped = Object.entries(custom.labelMap).filter(([, target]) => !target)
  if (custom.pretrainDataset && unmapped.length) return `Say which pre-training class ${unmapped.map(([label]) => `“${label}”`).join(', ')} is.`
  if (!(custom.seeds >= 1 && custom.seeds <= 20)) return 'Seeds: from 1 to 20.'
  const paper = (id: string) => (custom.paper[id] ? { paper: custom.paper[id] as PaperDataset } : {})
  return {
    name: custom.name.trim(),
    architectures: custom.architectures,
    preprocessing: custom.preprocessing,
    pretraining: [
      ...(custom.withoutPretraining ? [{ pretraining: { kind: 'none' as const }, paper: 'none' as const }] : []),
      ...(custom.pretrainDataset
        ? [{ pretraining: { kind: 'train' as const, datasetIds: [custom.pretrainDataset], classes: 'three' as const, labelMap: custom.labelMap as Record<string, 'normal'>, epochs: custom.pretrainEpochs }, ...(custom.pretrainPaper ? { paper: custom.pretrainPaper } : {}) }]
        : []),
    ],
    compositions: custom.compositions.map((compositionId) => ({ compositionId, ...paper(compositionId) })),
    seeds: Array.from({ length: custom.seeds }, (_, index) => index + 1),
    testSets: custom.testSets.filter((id) => !custom.compositions.includes(id)).map((compositionId) => ({ compositionId, ...paper(compositionId) })),
    training: {
      epochs: custom.epochs,
      batchSize: custom.batchSize,
      learningRate: custom.learningRate,
      input: { resize: Math.round((custom.inputSize * 256) / 224), crop: custom.inputSize },
      ...(custom.baseWidth ? { baseWidth: custom.baseWidth } : {}),
    },
  }
}
