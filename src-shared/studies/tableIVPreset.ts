import { PAPER_PRESET_NAMES } from '../datasets/presets'
import { TABLE_IV_ARCHITECTURES, TABLE_IV_TRAINING_SET, tableIVRunConfigs } from '../runs/tableIV'
import { PRESET_TRAINING, type CovidChestXRayStudyRoles, type PresetSize } from './presets'
import type { PaperDataset, StudySpecInput } from './spec'

/**
 * The paper's Table IV as a study: COVID-Net (Wang, Lin & Wong 2020) and ResNet-18, both pre-trained on ChestXRay
 * (Kermany's pneumonia images) and fine-tuned on COVID-ChestXRay, three seeds each, tested on COVID-ChestXRay's own
 * test split and on every other test set the user picks. The paper's Table IV figures (COVID-Net BA 0.85 on
 * COVID-ChestXRay, 0.55 on CORDA; ResNet-18 1.00 and 0.56) show beside the cells whose test set is one of Table I's.
 *
 * The runs follow `tableIVRunConfigs` (the same pre-training for both networks, so they differ only in the network
 * and its head), at the preset's two sizes:
 * - `full`: 224 px, SGD with momentum, lr 0.01, 20 epochs, the published widths (COVID-Net base width 48, 11.6 M
 *   parameters; ResNet-18 64). COVID-Net's training step holds ≈ 7 GB at batch 16 (see `runs/tableIV.ts`).
 * - `reduced`: the other preset's reduced settings, shared by both networks because a study trains every network
 *   with the same settings: base width 16 — ResNet-18 at a quarter of its width, COVID-Net at a third (stage widths
 *   64–512 instead of 192–1536) — at 64 px with fewer epochs. COVID-Net honours the base width (its stem and every
 *   stage scale with it), so both networks really are smaller; the numbers are the comparison's shape, not the paper's.
 *   At that size COVID-Net has 1.10 M parameters and ResNet-18 0.74 M, yet a COVID-Net run is estimated at about 9
 *   times as long (27 vs 3 min per run on onednn, 2 cores: `cxr study estimate`); the whole reduced study took 51 min
 *   on the shared data (onednn, 2 busy cores, December 2026), against the estimate's 1 h 41 min.
 */

/** The Table IV study's name. */
export const TABLE_IV_STUDY_NAME = 'Table IV: COVID-Net vs ResNet-18'

const DESCRIPTION: Record<PresetSize, string> = {
  full: 'COVID-Net and ResNet-18 at the published widths and 224 px, both pre-trained on Kermany’s pneumonia images (normal / bacterial / viral) and fine-tuned on COVID-ChestXRay; three seeds each; tested on the COVID-ChestXRay test split and on every other test set chosen, with the paper’s Table IV beside.',
  reduced:
    'COVID-Net and ResNet-18 shrunk to run in about an hour on 2 cores (COVID-Net’s runs take most of it) — base width 16 (COVID-Net at a third of its published width, ResNet-18 at a quarter), 64 px, fewer epochs — both pre-trained on Kermany’s pneumonia images and fine-tuned on COVID-ChestXRay; three seeds each; tested on the COVID-ChestXRay test split and on every other test set chosen. Not the paper’s networks: compare the pattern (within the dataset vs elsewhere), not the numbers.',
}

/** The Table IV study's parts: the other preset's, and which test sets are Table I compositions (e.g. CORDA). */
export interface TableIVStudyRoles extends CovidChestXRayStudyRoles {
  /** The paper's name of a test set, by composition id, so the paper's row for that test set shows beside ours. */
  paperNames?: Record<string, PaperDataset | undefined>
}

/** The Table IV study for the given compositions and pre-training dataset, at one size. */
export function tableIVStudy(roles: TableIVStudyRoles, size: PresetSize): StudySpecInput {
  const { training, pretrainEpochs } = PRESET_TRAINING[size]
  // One recipe for both networks: read it from Table IV's run configurations rather than restating it.
  const { pretraining } = tableIVRunConfigs({ compositionId: roles.covidChestXRay, chestXRayDatasetId: roles.pretrainDataset }).resnet18
  if (pretraining?.kind !== 'train') throw new Error('Table IV’s runs pre-train on ChestXRay')
  return {
    name: `${TABLE_IV_STUDY_NAME} (${size})`,
    description: DESCRIPTION[size],
    architectures: [...TABLE_IV_ARCHITECTURES],
    preprocessing: ['full'],
    pretraining: [{ label: 'pre-trained on ChestXRay', pretraining: { ...pretraining, epochs: pretrainEpochs }, paper: 'ChestXRay' }],
    compositions: [{ compositionId: roles.covidChestXRay, paper: TABLE_IV_TRAINING_SET }],
    seeds: [1, 2, 3],
    testSets: roles.externalTestSets
      .filter((id) => id !== roles.covidChestXRay)
      .map((compositionId) => {
        const paper = roles.paperNames?.[compositionId]
        return paper ? { compositionId, paper } : { compositionId }
      }),
    training,
    evaluation: { comparisonMetrics: ['auc', 'balancedAccuracy', 'specificity'] },
  }
}

/**
 * The paper's name of a saved composition built from one of Table I's presets (its recipe keeps the preset's name),
 * or undefined: how the app and the CLI say which test sets the paper's rows belong to.
 */
export function paperNameOfComposition(composition: { specName: string } | undefined): PaperDataset | undefined {
  return composition && (PAPER_PRESET_NAMES as readonly string[]).includes(composition.specName) ? (composition.specName as PaperDataset) : undefined
}
