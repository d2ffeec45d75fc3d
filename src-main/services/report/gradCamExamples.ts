/**
 * Chooses and computes the report's Grad-CAM examples: per model, on its first evaluated test set, the most
 * confident true positive, false positive and false negative of the stored predictions, each explained by the
 * run's own model and drawn over its radiograph. A file that cannot be read costs that example, never the report.
 */
import type { EvaluationMatrix, EvaluationRecord, PredictionRow } from '@shared/evaluation/types'
import type { LibraryService } from '@shared/library/types'
import type { GradCamTool } from '../evaluation/gradCam'
import { datasetImagePaths } from '../evaluation/compositionImages'
import type { GradCamExample, GradCamExampleKind, GradCamFigures } from './gradCamSection'
import { heatmapOverlayPng, type OverlayImage } from './overlayPng'

/** How many models get examples: each costs a few Grad-CAM passes, and a report of dozens of runs stays quick. */
export const GRAD_CAM_MAX_RUNS = 8

/** What the examples need: the Grad-CAM tool, the library (files and dataset names) and a decoder for the radiograph. */
export interface GradCamExampleDeps {
  gradCam: Pick<GradCamTool, 'gradCam'>
  library: Pick<LibraryService, 'listImages' | 'listDatasets'>
  decode: (path: string) => Promise<OverlayImage>
}

/** One chosen example: which image, and why it was chosen. */
export interface ChosenExample {
  kind: GradCamExampleKind
  row: PredictionRow
}

/**
 * The most confident true positive (highest score among COVID+ images called COVID+), false positive (highest
 * score among COVID− images called COVID+) and false negative (lowest score among COVID+ images called COVID−);
 * a kind with no image is left out. Ties go to the smaller image id (then dataset id), so a report is repeatable.
 * `score >= threshold` is COVID+, as the metrics count it.
 */
export function chooseGradCamExamples(predictions: PredictionRow[], threshold: number): ChosenExample[] {
  const byId = (a: PredictionRow, b: PredictionRow) => (a.imageId < b.imageId ? -1 : a.imageId > b.imageId ? 1 : a.datasetId < b.datasetId ? -1 : a.datasetId > b.datasetId ? 1 : 0)
  const first = (rows: PredictionRow[], order: (a: PredictionRow, b: PredictionRow) => number) => [...rows].sort((a, b) => order(a, b) || byId(a, b))[0]
  const positive = (row: PredictionRow) => row.score >= threshold
  const choices: [GradCamExampleKind, PredictionRow | undefined][] = [
    ['true positive', first(predictions.filter((row) => row.label === 1 && positive(row)), (a, b) => b.score - a.score)],
    ['false positive', first(predictions.filter((row) => row.label === 0 && positive(row)), (a, b) => b.score - a.score)],
    ['false negative', first(predictions.filter((row) => row.label === 1 && !positive(row)), (a, b) => a.score - b.score)],
  ]
  return choices.flatMap(([kind, row]) => (row ? [{ kind, row }] : []))
}

/** What to explain: the standard matrix and its evaluations, as the report shows them. */
export interface GradCamExampleRequest {
  matrix: EvaluationMatrix
  evaluations: EvaluationRecord[]
  maxRuns?: number
  /** Called before each Grad-CAM pass, with how many are done and how many there are in all. */
  onProgress?: (done: number, total: number) => void
}

/** Computes the examples of the first {@link GRAD_CAM_MAX_RUNS} evaluated models; problems become sentences, not errors. */
export async function collectGradCamExamples(deps: GradCamExampleDeps, request: GradCamExampleRequest): Promise<GradCamFigures> {
  const { matrix } = request
  const byId = new Map(request.evaluations.map((evaluation) => [evaluation.id, evaluation]))
  const evaluated = matrix.rows.flatMap((row, r) => {
    const c = matrix.cells[r].findIndex((cell) => cell.evaluationId !== null && byId.has(cell.evaluationId))
    return c < 0 ? [] : [{ row, testSetName: matrix.columns[c].name, evaluation: byId.get(matrix.cells[r][c].evaluationId!)! }]
  })
  const shown = evaluated.slice(0, request.maxRuns ?? GRAD_CAM_MAX_RUNS)
  const work = shown.flatMap(({ row, testSetName, evaluation }) =>
    chooseGradCamExamples(evaluation.predictions, evaluation.metrics.threshold).map((choice) => ({ runId: row.runId, runName: row.name || row.runId, testSetName, ...choice })),
  )
  const datasetNames = new Map((await deps.library.listDatasets()).map((dataset) => [dataset.id, dataset.name]))
  const pathsByDataset = new Map<string, Promise<Map<string, string>>>()
  const pathOf = async (row: PredictionRow) => {
    let paths = pathsByDataset.get(row.datasetId)
    if (!paths) pathsByDataset.set(row.datasetId, (paths = datasetImagePaths(deps.library, row.datasetId)))
    return (await paths).get(row.imageId)
  }
  const examples: GradCamExample[] = []
  const problems: string[] = []
  for (const [index, item] of work.entries()) {
    request.onProgress?.(index, work.length)
    const datasetName = datasetNames.get(item.row.datasetId) ?? item.row.datasetId
    const where = `Grad-CAM example of ${item.runName} (${item.kind}, image ${item.row.imageId} of ${datasetName})`
    try {
      const path = await pathOf(item.row).catch(() => undefined)
      if (!path) {
        problems.push(`${where} left out: the image is no longer in the library.`)
        continue
      }
      // Decoded first: an unreadable file is then named once, before a Grad-CAM pass is spent on it.
      const image = await deps.decode(path)
      const cam = await deps.gradCam.gradCam({ runId: item.runId, imagePath: path })
      if (image.width !== cam.width || image.height !== cam.height) throw new Error(`the file changed size since (${image.width} × ${image.height}, heatmap ${cam.width} × ${cam.height})`)
      const picture = await heatmapOverlayPng(image, cam.heatmap)
      const { runId, runName, testSetName, kind, row } = item
      examples.push({ runId, runName, testSetName, kind, label: row.label, imageId: row.imageId, datasetName, probability: cam.probability, insideLungShare: cam.insideLungShare, shareUnknown: cam.shareUnknown, picture, width: image.width, height: image.height })
    } catch (error) {
      problems.push(`${where} left out: ${(error as Error).message}`)
    }
  }
  request.onProgress?.(work.length, work.length)
  return { examples, runsShown: shown.length, runsWithEvaluations: evaluated.length, problems }
}
