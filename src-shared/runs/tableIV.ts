import { PAPER_LABEL_MAPPINGS, type PaperPresetName } from '../datasets/presets'
import type { MatrixMetric } from '../evaluation/types'
import type { Pretraining, RunConfigInput } from './config'

/** A pre-training class (normal, bacteria, virus, or exclude). */
type PretrainClass = Extract<Pretraining, { kind: 'train' }>['labelMap'][string]

/**
 * The paper's Table IV as data: COVID-Net (Wang, Lin & Wong 2020, the paper's reference [20]) and ResNet-18, both
 * trained on COVID-ChestXRay and tested on CORDA and on COVID-ChestXRay's own 15-image test set — the table that
 * shows a network scoring well on its own dataset's test set and near chance on another hospital's.
 *
 * Citation: E. Tartaglione, C. A. Barbano, C. Berzovini, M. Calandri, M. Grangetto, "Unveiling COVID-19 from
 * Chest X-ray with deep learning: a hurdles race with small data", arXiv:2004.05405 (2020), Table IV and Sec. V.
 */

/** The two networks of Table IV. */
export const TABLE_IV_ARCHITECTURES = ['covidnet', 'resnet18'] as const
/** A network of Table IV. */
export type TableIVArchitecture = (typeof TABLE_IV_ARCHITECTURES)[number]

/** One published row of Table IV: a network, the test set it was scored on, and the seven metrics. */
export interface TableIVRow {
  architecture: TableIVArchitecture
  /** The test set (Table I's composition of that name; the paper's threshold 0.5). */
  testSet: Extract<PaperPresetName, 'CORDA' | 'COVID-ChestXRay'>
  /** As printed, two decimals; the DOR with FP·FN = 0 is printed "∞" and stored as Infinity. */
  metrics: Record<MatrixMetric, number>
}

/** Table IV's rows in the paper's order. */
export const TABLE_IV: readonly TableIVRow[] = [
  { architecture: 'covidnet', testSet: 'CORDA', metrics: row(0.12, 0.98, 0.22, 0.41, 0.55, 0.55, 6.68) },
  { architecture: 'covidnet', testSet: 'COVID-ChestXRay', metrics: row(0.9, 0.8, 0.9, 0.85, 0.85, 0.85, 36.0) },
  // The same figures as Table II's row "pre-trained on ChestXRay, trained on COVID-ChestXRay, tested on CORDA":
  // Table IV's ResNet-18 is that model.
  { architecture: 'resnet18', testSet: 'CORDA', metrics: row(0.91, 0.2, 0.79, 0.67, 0.56, 0.61, 2.56) },
  { architecture: 'resnet18', testSet: 'COVID-ChestXRay', metrics: row(1, 1, 1, 1, 1, 1, Number.POSITIVE_INFINITY) },
]

/** The composition both networks of Table IV are trained on (Table I: 98 COVID+ and 24 COVID− for training). */
export const TABLE_IV_TRAINING_SET: PaperPresetName = 'COVID-ChestXRay'

/** Where Table IV's runs come from in the user's library. */
export interface TableIVRunOptions {
  /** The saved composition built with the `COVID-ChestXRay` preset of Table I. */
  compositionId: string
  /** The library dataset that plays ChestXRay (Kermany et al.), the pre-training set. */
  chestXRayDatasetId: string
  /** Its labels' pre-training classes; default: Kermany's own normal / bacteria / virus, taken as they are. */
  chestXRayLabels?: Record<string, PretrainClass>
  seed?: number
}

/**
 * The run configurations of Table IV, one per network: everything else the runs' defaults (the paper's recipe:
 * full preprocessing, 256 → 224 px, SGD with momentum 0.9, learning rate 0.01, batch 16, 20 epochs), so the two
 * runs differ only in the network and its head.
 * - ResNet-18: pre-trained on ChestXRay (normal / bacterial / viral), then fine-tuned, because Table IV's ResNet-18
 *   figures on CORDA are Table II's for that pre-training.
 * - COVID-Net: the paper does not say how it initialised COVID-Net (its authors pre-trained on ImageNet, which the
 *   runs cannot); it gets the same ChestXRay pre-training, so the comparison is between networks, not recipes. It
 *   runs at 224 px like ResNet-18 and like the COVID-Net the paper could use in April 2020 (the authors' then
 *   models, COVIDNet-CXR Small/Large, took 224×224; 480 came with the later Sci. Rep. version), with its own
 *   FC-1024 → FC-256 head (the `covidnet` default). A training step holds ≈ 0.43 GB per image of the batch at
 *   224 px (ResNet-18 ≈ 0.12 GB; `cxr bench --suite training`), so ≈ 7 GB at batch 16.
 */
export function tableIVRunConfigs(options: TableIVRunOptions): Record<TableIVArchitecture, RunConfigInput> {
  const labelMap = options.chestXRayLabels ?? Object.fromEntries(Object.keys(PAPER_LABEL_MAPPINGS.ChestXRay).map((label) => [label, label as PretrainClass]))
  const config = (architecture: TableIVArchitecture, name: string): RunConfigInput => ({
    name: `Table IV: ${name}, pre-trained on ChestXRay, trained on COVID-ChestXRay`,
    architecture,
    compositionId: options.compositionId,
    pretraining: { kind: 'train', datasetIds: [options.chestXRayDatasetId], classes: 'three', labelMap: { ...labelMap } },
    seed: options.seed ?? 0,
  })
  return { covidnet: config('covidnet', 'COVID-Net'), resnet18: config('resnet18', 'ResNet-18') }
}

function row(sensitivity: number, specificity: number, fScore: number, accuracy: number, balancedAccuracy: number, auc: number, diagnosticOddsRatio: number): Record<MatrixMetric, number> {
  return { sensitivity, specificity, fScore, accuracy, balancedAccuracy, auc, diagnosticOddsRatio }
}
