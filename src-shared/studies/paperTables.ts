/**
 * The paper's results (Tables II, III and IV) as data, so a study's table can show them beside its own numbers.
 *
 * Citation: E. Tartaglione, C. A. Barbano, C. Berzovini, M. Calandri, M. Grangetto, "Unveiling COVID-19 from Chest
 * X-ray with deep learning: a hurdles race with small data", arXiv:2004.05405 (2020), Section IV: Table II
 * ("Results obtained training ResNet-18"), Table III ("... a ResNet-50 model") and Table IV ("Results of COVID-Net and
 * ResNet-18 training on COVID-ChestXRay"). Transcribed from the text of the paper in ../shared/paper
 * (unveiling-covid19-from-cxr.txt), row by row in the paper's order; the unit test checks that every row's balanced
 * accuracy is the mean of its sensitivity and specificity to the paper's rounding, and a few cells the discussion
 * quotes. Threshold 0.5, full preprocessing (Sec. III-B), one training per cell (the paper reports no seeds).
 *
 * Table II omits the COVID-ChestXRay test set; Table IV gives it for the ResNet-18 trained on COVID-ChestXRay. Table
 * IV's ResNet-18 is the ChestXRay-pre-trained one: its CORDA row (0.91 0.20 0.79 0.67 0.56 0.61 2.56) is Table II's
 * "ChestXRay / COVID-ChestXRay / CORDA" row. Table IV itself is kept once, in `runs/tableIV.ts`, and read from there.
 */
import type { Architecture } from '../runs/config'
import { TABLE_IV, TABLE_IV_TRAINING_SET } from '../runs/tableIV'
import type { PaperDataset, PaperPretraining } from './spec'

/** The metrics of one cell of the paper's tables, in their column order (DOR `Infinity` where printed ∞). */
export interface PaperMetrics {
  sensitivity: number
  specificity: number
  fScore: number
  accuracy: number
  balancedAccuracy: number
  auc: number
  diagnosticOddsRatio: number
}

/** One row of the paper's tables. */
export interface PaperResult {
  table: 'II' | 'III' | 'IV'
  architecture: Architecture
  pretraining: PaperPretraining
  training: PaperDataset
  test: PaperDataset
  metrics: PaperMetrics
}

/** Pre-trained encoder, training dataset, test dataset, then Sensitivity, Specificity, F-Score, Accuracy, BA, AUC, DOR. */
type PaperRow = [PaperPretraining, PaperDataset, PaperDataset, number, number, number, number, number, number, number]

/** Table II: ResNet-18. */
const TABLE_II: PaperRow[] = [
  ['none', 'CORDA&RSNA', 'CORDA', 0.56, 0.42, 0.60, 0.51, 0.49, 0.52, 0.91],
  ['none', 'CORDA&RSNA', 'CORDA&ChestXRay', 0.56, 0.22, 0.15, 0.26, 0.39, 0.33, 0.36],
  ['none', 'CORDA&RSNA', 'CORDA&RSNA', 0.56, 0.96, 0.49, 0.95, 0.76, 0.95, 34.23],
  ['none', 'CORDA&RSNA', 'CORDA&COVID-ChestXRay', 0.52, 0.48, 0.58, 0.51, 0.50, 0.53, 1.00],
  ['none', 'CORDA', 'CORDA', 0.56, 0.58, 0.63, 0.56, 0.57, 0.59, 1.71],
  ['none', 'CORDA', 'CORDA&ChestXRay', 0.56, 0.37, 0.18, 0.39, 0.46, 0.43, 0.74],
  ['none', 'CORDA', 'CORDA&RSNA', 0.56, 0.38, 0.08, 0.39, 0.47, 0.46, 0.76],
  ['none', 'CORDA', 'CORDA&COVID-ChestXRay', 0.56, 0.58, 0.63, 0.57, 0.57, 0.59, 1.76],
  ['none', 'CORDA&COVID-ChestXRay', 'CORDA', 0.58, 0.64, 0.66, 0.60, 0.61, 0.63, 2.48],
  ['none', 'CORDA&COVID-ChestXRay', 'CORDA&ChestXRay', 0.58, 0.63, 0.27, 0.63, 0.61, 0.63, 2.37],
  ['none', 'CORDA&COVID-ChestXRay', 'CORDA&RSNA', 0.58, 0.54, 0.11, 0.54, 0.56, 0.58, 1.62],
  ['none', 'CORDA&COVID-ChestXRay', 'CORDA&COVID-ChestXRay', 0.57, 0.66, 0.66, 0.60, 0.61, 0.64, 2.57],
  ['none', 'COVID-ChestXRay', 'CORDA', 0.91, 0.11, 0.77, 0.64, 0.51, 0.54, 1.28],
  ['none', 'COVID-ChestXRay', 'CORDA&ChestXRay', 0.91, 0.66, 0.41, 0.69, 0.78, 0.87, 19.56],
  ['none', 'COVID-ChestXRay', 'CORDA&RSNA', 0.91, 0.11, 0.09, 0.14, 0.51, 0.45, 1.22],
  ['none', 'COVID-ChestXRay', 'CORDA&COVID-ChestXRay', 0.91, 0.18, 0.78, 0.67, 0.55, 0.58, 2.22],
  ['none', 'CORDA&ChestXRay', 'CORDA', 0.88, 0.18, 0.77, 0.64, 0.53, 0.58, 1.55],
  ['none', 'CORDA&ChestXRay', 'CORDA&ChestXRay', 0.88, 0.94, 0.76, 0.93, 0.91, 0.97, 112.93],
  ['none', 'CORDA&ChestXRay', 'CORDA&RSNA', 0.88, 0.14, 0.09, 0.17, 0.51, 0.42, 1.14],
  ['none', 'CORDA&ChestXRay', 'CORDA&COVID-ChestXRay', 0.87, 0.20, 0.77, 0.65, 0.54, 0.60, 1.67],
  ['RSNA', 'CORDA&RSNA', 'CORDA', 0.68, 0.44, 0.69, 0.60, 0.56, 0.61, 1.68],
  ['RSNA', 'CORDA&RSNA', 'CORDA&ChestXRay', 0.68, 0.22, 0.18, 0.27, 0.45, 0.49, 0.59],
  ['RSNA', 'CORDA&RSNA', 'CORDA&RSNA', 0.68, 0.90, 0.37, 0.89, 0.79, 0.90, 19.82],
  ['RSNA', 'CORDA&RSNA', 'CORDA&COVID-ChestXRay', 0.67, 0.50, 0.70, 0.61, 0.58, 0.63, 2.03],
  ['RSNA', 'CORDA', 'CORDA', 0.54, 0.80, 0.66, 0.63, 0.67, 0.72, 4.78],
  ['RSNA', 'CORDA', 'CORDA&ChestXRay', 0.54, 0.31, 0.16, 0.34, 0.43, 0.48, 0.54],
  ['RSNA', 'CORDA', 'CORDA&RSNA', 0.54, 0.55, 0.10, 0.55, 0.55, 0.61, 1.48],
  ['RSNA', 'CORDA', 'CORDA&COVID-ChestXRay', 0.57, 0.76, 0.67, 0.63, 0.67, 0.72, 4.20],
  ['RSNA', 'CORDA&COVID-ChestXRay', 'CORDA', 0.70, 0.49, 0.72, 0.63, 0.59, 0.67, 2.23],
  ['RSNA', 'CORDA&COVID-ChestXRay', 'CORDA&ChestXRay', 0.70, 0.30, 0.20, 0.34, 0.50, 0.59, 0.98],
  ['RSNA', 'CORDA&COVID-ChestXRay', 'CORDA&RSNA', 0.70, 0.37, 0.10, 0.39, 0.53, 0.61, 1.37],
  ['RSNA', 'CORDA&COVID-ChestXRay', 'CORDA&COVID-ChestXRay', 0.71, 0.52, 0.73, 0.65, 0.61, 0.70, 2.65],
  ['RSNA', 'COVID-ChestXRay', 'CORDA', 0.94, 0.09, 0.79, 0.66, 0.52, 0.57, 1.66],
  ['RSNA', 'COVID-ChestXRay', 'CORDA&ChestXRay', 0.94, 0.61, 0.39, 0.65, 0.78, 0.92, 26.24],
  ['RSNA', 'COVID-ChestXRay', 'CORDA&RSNA', 0.94, 0.08, 0.09, 0.12, 0.51, 0.58, 1.50],
  ['RSNA', 'COVID-ChestXRay', 'CORDA&COVID-ChestXRay', 0.95, 0.14, 0.80, 0.68, 0.54, 0.62, 3.09],
  ['RSNA', 'CORDA&ChestXRay', 'CORDA', 0.82, 0.38, 0.77, 0.67, 0.60, 0.63, 2.81],
  ['RSNA', 'CORDA&ChestXRay', 'CORDA&ChestXRay', 0.82, 0.95, 0.75, 0.94, 0.89, 0.97, 89.14],
  ['RSNA', 'CORDA&ChestXRay', 'CORDA&RSNA', 0.82, 0.30, 0.10, 0.32, 0.56, 0.59, 1.98],
  ['RSNA', 'CORDA&ChestXRay', 'CORDA&COVID-ChestXRay', 0.83, 0.38, 0.78, 0.68, 0.60, 0.64, 2.99],
  ['ChestXRay', 'CORDA&RSNA', 'CORDA', 0.86, 0.31, 0.78, 0.67, 0.58, 0.60, 2.67],
  ['ChestXRay', 'CORDA&RSNA', 'CORDA&ChestXRay', 0.86, 0.29, 0.24, 0.36, 0.58, 0.48, 2.47],
  ['ChestXRay', 'CORDA&RSNA', 'CORDA&RSNA', 0.86, 0.95, 0.61, 0.95, 0.90, 0.97, 122.64],
  ['ChestXRay', 'CORDA&RSNA', 'CORDA&COVID-ChestXRay', 0.82, 0.38, 0.77, 0.67, 0.60, 0.61, 2.79],
  ['ChestXRay', 'CORDA', 'CORDA', 0.54, 0.58, 0.62, 0.56, 0.56, 0.67, 1.64],
  ['ChestXRay', 'CORDA', 'CORDA&ChestXRay', 0.54, 0.37, 0.17, 0.39, 0.46, 0.49, 0.70],
  ['ChestXRay', 'CORDA', 'CORDA&RSNA', 0.54, 0.73, 0.15, 0.72, 0.64, 0.72, 3.21],
  ['ChestXRay', 'CORDA', 'CORDA&COVID-ChestXRay', 0.56, 0.62, 0.64, 0.58, 0.59, 0.70, 2.08],
  ['ChestXRay', 'CORDA&COVID-ChestXRay', 'CORDA', 0.71, 0.49, 0.72, 0.64, 0.60, 0.67, 2.35],
  ['ChestXRay', 'CORDA&COVID-ChestXRay', 'CORDA&ChestXRay', 0.71, 0.25, 0.20, 0.31, 0.48, 0.51, 0.83],
  ['ChestXRay', 'CORDA&COVID-ChestXRay', 'CORDA&RSNA', 0.71, 0.47, 0.11, 0.48, 0.59, 0.64, 2.16],
  ['ChestXRay', 'CORDA&COVID-ChestXRay', 'CORDA&COVID-ChestXRay', 0.73, 0.52, 0.74, 0.66, 0.62, 0.70, 2.93],
  ['ChestXRay', 'COVID-ChestXRay', 'CORDA', 0.91, 0.20, 0.79, 0.67, 0.56, 0.61, 2.56],
  ['ChestXRay', 'COVID-ChestXRay', 'CORDA&ChestXRay', 0.91, 0.70, 0.44, 0.73, 0.81, 0.89, 24.38],
  ['ChestXRay', 'COVID-ChestXRay', 'CORDA&RSNA', 0.91, 0.15, 0.09, 0.19, 0.53, 0.55, 1.83],
  ['ChestXRay', 'COVID-ChestXRay', 'CORDA&COVID-ChestXRay', 0.92, 0.28, 0.81, 0.71, 0.60, 0.66, 4.47],
  ['ChestXRay', 'CORDA&ChestXRay', 'CORDA', 0.88, 0.24, 0.78, 0.67, 0.56, 0.66, 2.32],
  ['ChestXRay', 'CORDA&ChestXRay', 'CORDA&ChestXRay', 0.88, 0.94, 0.77, 0.94, 0.91, 0.97, 122.67],
  ['ChestXRay', 'CORDA&ChestXRay', 'CORDA&RSNA', 0.88, 0.24, 0.10, 0.27, 0.56, 0.67, 2.26],
  ['ChestXRay', 'CORDA&ChestXRay', 'CORDA&COVID-ChestXRay', 0.88, 0.26, 0.78, 0.67, 0.57, 0.68, 2.58],
]

/** Table III: ResNet-50. */
const TABLE_III: PaperRow[] = [
  ['RSNA', 'CORDA&RSNA', 'CORDA', 0.74, 0.49, 0.74, 0.66, 0.62, 0.65, 2.79],
  ['RSNA', 'CORDA&RSNA', 'CORDA&ChestXRay', 0.74, 0.40, 0.24, 0.44, 0.57, 0.64, 1.92],
  ['RSNA', 'CORDA&RSNA', 'CORDA&RSNA', 0.74, 0.92, 0.43, 0.91, 0.83, 0.93, 31.76],
  ['RSNA', 'CORDA&RSNA', 'CORDA&COVID-ChestXRay', 0.70, 0.54, 0.73, 0.65, 0.62, 0.66, 2.74],
  ['RSNA', 'CORDA', 'CORDA', 0.61, 0.71, 0.70, 0.64, 0.66, 0.67, 3.87],
  ['RSNA', 'CORDA', 'CORDA&ChestXRay', 0.61, 0.40, 0.20, 0.43, 0.51, 0.53, 1.06],
  ['RSNA', 'CORDA', 'CORDA&RSNA', 0.61, 0.58, 0.12, 0.58, 0.60, 0.63, 2.20],
  ['RSNA', 'CORDA', 'CORDA&COVID-ChestXRay', 0.62, 0.74, 0.71, 0.66, 0.68, 0.69, 4.64],
  ['RSNA', 'CORDA&COVID-ChestXRay', 'CORDA', 0.53, 0.64, 0.62, 0.57, 0.59, 0.64, 2.07],
  ['RSNA', 'CORDA&COVID-ChestXRay', 'CORDA&ChestXRay', 0.53, 0.56, 0.22, 0.56, 0.55, 0.58, 1.47],
  ['RSNA', 'CORDA&COVID-ChestXRay', 'CORDA&RSNA', 0.53, 0.57, 0.10, 0.57, 0.55, 0.58, 1.53],
  ['RSNA', 'CORDA&COVID-ChestXRay', 'CORDA&COVID-ChestXRay', 0.55, 0.68, 0.64, 0.59, 0.61, 0.66, 2.60],
  ['RSNA', 'COVID-ChestXRay', 'CORDA', 0.97, 0.04, 0.79, 0.66, 0.51, 0.57, 1.35],
  ['RSNA', 'COVID-ChestXRay', 'CORDA&ChestXRay', 0.97, 0.45, 0.32, 0.51, 0.71, 0.89, 23.29],
  ['RSNA', 'COVID-ChestXRay', 'CORDA&RSNA', 0.97, 0.09, 0.09, 0.13, 0.53, 0.56, 2.91],
  ['RSNA', 'COVID-ChestXRay', 'CORDA&COVID-ChestXRay', 0.97, 0.10, 0.80, 0.68, 0.54, 0.62, 3.59],
  ['RSNA', 'CORDA&ChestXRay', 'CORDA', 0.76, 0.33, 0.72, 0.61, 0.54, 0.65, 1.55],
  ['RSNA', 'CORDA&ChestXRay', 'CORDA&ChestXRay', 0.76, 0.95, 0.72, 0.93, 0.85, 0.97, 63.61],
  ['RSNA', 'CORDA&ChestXRay', 'CORDA&RSNA', 0.76, 0.36, 0.10, 0.38, 0.56, 0.63, 1.75],
  ['RSNA', 'CORDA&ChestXRay', 'CORDA&COVID-ChestXRay', 0.76, 0.32, 0.72, 0.61, 0.54, 0.64, 1.49],
  ['ChestXRay', 'CORDA&RSNA', 'CORDA', 0.73, 0.40, 0.72, 0.62, 0.57, 0.58, 1.83],
  ['ChestXRay', 'CORDA&RSNA', 'CORDA&ChestXRay', 0.73, 0.25, 0.20, 0.31, 0.49, 0.44, 0.92],
  ['ChestXRay', 'CORDA&RSNA', 'CORDA&RSNA', 0.73, 0.96, 0.58, 0.95, 0.85, 0.97, 68.71],
  ['ChestXRay', 'CORDA&RSNA', 'CORDA&COVID-ChestXRay', 0.70, 0.46, 0.71, 0.62, 0.58, 0.60, 1.99],
  ['ChestXRay', 'CORDA', 'CORDA', 0.64, 0.56, 0.69, 0.61, 0.60, 0.65, 2.27],
  ['ChestXRay', 'CORDA', 'CORDA&ChestXRay', 0.64, 0.49, 0.24, 0.51, 0.57, 0.61, 1.72],
  ['ChestXRay', 'CORDA', 'CORDA&RSNA', 0.64, 0.63, 0.14, 0.63, 0.64, 0.69, 3.06],
  ['ChestXRay', 'CORDA', 'CORDA&COVID-ChestXRay', 0.67, 0.60, 0.72, 0.65, 0.64, 0.69, 3.05],
  ['ChestXRay', 'CORDA&COVID-ChestXRay', 'CORDA', 0.63, 0.38, 0.65, 0.55, 0.51, 0.63, 1.05],
  ['ChestXRay', 'CORDA&COVID-ChestXRay', 'CORDA&ChestXRay', 0.63, 0.46, 0.22, 0.48, 0.55, 0.61, 1.46],
  ['ChestXRay', 'CORDA&COVID-ChestXRay', 'CORDA&RSNA', 0.63, 0.62, 0.14, 0.62, 0.63, 0.70, 2.86],
  ['ChestXRay', 'CORDA&COVID-ChestXRay', 'CORDA&COVID-ChestXRay', 0.65, 0.44, 0.67, 0.58, 0.55, 0.66, 1.46],
  ['ChestXRay', 'COVID-ChestXRay', 'CORDA', 0.98, 0.13, 0.81, 0.70, 0.56, 0.61, 6.77],
  ['ChestXRay', 'COVID-ChestXRay', 'CORDA&ChestXRay', 0.98, 0.72, 0.48, 0.75, 0.85, 0.90, 112.57],
  ['ChestXRay', 'COVID-ChestXRay', 'CORDA&RSNA', 0.98, 0.11, 0.10, 0.15, 0.55, 0.61, 5.59],
  ['ChestXRay', 'COVID-ChestXRay', 'CORDA&COVID-ChestXRay', 0.98, 0.20, 0.82, 0.72, 0.59, 0.65, 12.25],
  ['ChestXRay', 'CORDA&ChestXRay', 'CORDA', 0.81, 0.29, 0.75, 0.64, 0.55, 0.64, 1.74],
  ['ChestXRay', 'CORDA&ChestXRay', 'CORDA&ChestXRay', 0.81, 0.94, 0.73, 0.93, 0.88, 0.97, 73.35],
  ['ChestXRay', 'CORDA&ChestXRay', 'CORDA&RSNA', 0.81, 0.25, 0.09, 0.28, 0.53, 0.57, 1.43],
  ['ChestXRay', 'CORDA&ChestXRay', 'CORDA&COVID-ChestXRay', 0.80, 0.30, 0.74, 0.63, 0.55, 0.64, 1.71],
]

function toResults(table: PaperResult['table'], architecture: Architecture, rows: PaperRow[]): PaperResult[] {
  return rows.map(([pretraining, training, test, sensitivity, specificity, fScore, accuracy, balancedAccuracy, auc, diagnosticOddsRatio]) => ({
    table,
    architecture,
    pretraining,
    training,
    test,
    metrics: { sensitivity, specificity, fScore, accuracy, balancedAccuracy, auc, diagnosticOddsRatio },
  }))
}

/**
 * Table IV's cells that Tables II and III do not already hold. Both networks count as pre-trained on ChestXRay: the
 * paper's ResNet-18 is (its CORDA row is Table II's ChestXRay row); for COVID-Net the paper does not say how it was
 * initialised, and the project's Table IV recipe (`tableIVRunConfigs`) pre-trains it on ChestXRay like ResNet-18,
 * so its paper figures sit beside the cells trained that way.
 */
function tableIVResults(earlier: readonly PaperResult[]): PaperResult[] {
  const key = (result: Pick<PaperResult, 'architecture' | 'pretraining' | 'training' | 'test'>) => `${result.architecture}/${result.pretraining}/${result.training}/${result.test}`
  const known = new Set(earlier.map(key))
  return TABLE_IV.map((row): PaperResult => ({ table: 'IV', architecture: row.architecture, pretraining: 'ChestXRay', training: TABLE_IV_TRAINING_SET, test: row.testSet, metrics: { ...row.metrics } })).filter(
    (result) => !known.has(key(result)),
  )
}

const TABLES_II_III: readonly PaperResult[] = [...toResults('II', 'resnet18', TABLE_II), ...toResults('III', 'resnet50', TABLE_III)]

/** Every cell the paper reports: ResNet-18 (Tables II and IV), ResNet-50 (Table III) and COVID-Net (Table IV). */
export const PAPER_RESULTS: readonly PaperResult[] = [...TABLES_II_III, ...tableIVResults(TABLES_II_III)]

/** Which of the paper's cells a cell of ours corresponds to, by the names the study states (never guessed). */
export interface PaperCellQuery {
  architecture: Architecture
  preprocessing: string
  pretraining: PaperPretraining | null
  training: PaperDataset | null
  test: PaperDataset | null
}

/**
 * The paper's result for a cell of a study, or null when the paper has no such cell (Conv8, another preprocessing
 * than the paper's full chain, or a dataset or pre-training the study does not name as one of the paper's).
 */
export function paperResultFor(query: PaperCellQuery): PaperResult | null {
  if (query.preprocessing !== 'full' || query.pretraining === null || query.training === null || query.test === null) return null
  return (
    PAPER_RESULTS.find(
      (result) => result.architecture === query.architecture && result.pretraining === query.pretraining && result.training === query.training && result.test === query.test,
    ) ?? null
  )
}
