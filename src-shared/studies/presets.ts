import type { StudySpecInput, StudyTraining } from './spec'

/**
 * The preset study: the paper's question on the data at hand (Sec. IV-A, "To pre-train or not to pre-train?"):
 * ResNet-18 fine-tuned on COVID-ChestXRay (Table I's composition) with and without pre-training its encoder on
 * ChestXRay (Kermany's pediatric pneumonia set, three classes), three seeds each, tested on COVID-ChestXRay's own
 * test split and on external test-only sets. The paper reports this recipe on the COVID-ChestXRay test split only
 * with pre-training (Table IV: 1.00 on every metric, 15 images); the other cells have no paper counterpart.
 */

/** The sizes of the preset: the paper's networks, or a reduced one that finishes within an hour on 2 cores. */
export const PRESET_SIZES = ['reduced', 'full'] as const
/** A size of the preset study. */
export type PresetSize = (typeof PRESET_SIZES)[number]

/** Which saved compositions and dataset play the preset's parts. */
export interface CovidChestXRayStudyRoles {
  /** The saved Table I "COVID-ChestXRay" composition (PA views, 10 + 5 test images). */
  covidChestXRay: string
  /** The library dataset of Kermany's training images (normal / bacteria / virus) to pre-train on. */
  pretrainDataset: string
  /** Test-only compositions (external sets), e.g. COVID-ChestXRay's AP views of other patients, Kermany's test split. */
  externalTestSets: string[]
}

/**
 * Training settings of each size. `full` is the paper's setup (ResNet-18 at 224 px, SGD with momentum, lr 0.01,
 * 20 fine-tuning epochs) with 5 pre-training epochs. `reduced` keeps the recipe and shrinks the network (first-stage
 * width 16 instead of 64) and the input (64 px instead of 224), with fewer epochs: the same comparisons, made in
 * minutes; its numbers are not the paper's and are not meant to be.
 */
export const PRESET_TRAINING: Record<PresetSize, { training: Partial<StudyTraining>; pretrainEpochs: number }> = {
  full: { training: { input: { resize: 256, crop: 224 }, epochs: 20, batchSize: 16, learningRate: 0.01, optimizer: { kind: 'sgd', momentum: 0.9 } }, pretrainEpochs: 5 },
  reduced: {
    training: { baseWidth: 16, input: { resize: 73, crop: 64 }, epochs: 12, batchSize: 16, learningRate: 0.01, optimizer: { kind: 'sgd', momentum: 0.9 } },
    pretrainEpochs: 3,
  },
}

/** The preset study's name. */
export const COVID_CHESTXRAY_STUDY_NAME = 'COVID-ChestXRay: pre-training on ChestXRay or not'

/** The preset study for the given compositions and pre-training dataset, at one size. */
export function covidChestXRayPretrainingStudy(roles: CovidChestXRayStudyRoles, size: PresetSize): StudySpecInput {
  const { training, pretrainEpochs } = PRESET_TRAINING[size]
  return {
    name: `${COVID_CHESTXRAY_STUDY_NAME} (${size})`,
    description:
      'ResNet-18 fine-tuned on COVID-ChestXRay, its encoder pre-trained on Kermany’s pneumonia images (normal / bacterial / viral) or not; three seeds each; tested on the COVID-ChestXRay test split and on external test-only sets.',
    architectures: ['resnet18'],
    preprocessing: ['full'],
    pretraining: [
      { pretraining: { kind: 'none' }, paper: 'none' },
      {
        label: 'pre-trained on ChestXRay',
        pretraining: { kind: 'train', datasetIds: [roles.pretrainDataset], classes: 'three', labelMap: { normal: 'normal', bacteria: 'bacteria', virus: 'virus' }, epochs: pretrainEpochs },
        paper: 'ChestXRay',
      },
    ],
    compositions: [{ compositionId: roles.covidChestXRay, paper: 'COVID-ChestXRay' }],
    seeds: [1, 2, 3],
    testSets: roles.externalTestSets.map((compositionId) => ({ compositionId })),
    training,
    // Specificity too: an all-COVID− external set (Kermany's test split) has no AUC, but how often a model calls
    // a child with pneumonia COVID+ is worth comparing.
    evaluation: { comparisonMetrics: ['auc', 'balancedAccuracy', 'specificity'] },
  }
}
