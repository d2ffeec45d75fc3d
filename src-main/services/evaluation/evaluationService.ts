import { evaluateBinary, toJsonSafe } from '@shared/metrics'
import { matrixToCsv, patientKey, predictionsToCsv } from '@shared/evaluation/csv'
import { buildMatrix, missingCells } from '@shared/evaluation/matrix'
import { datasetProbe, knnSeparability } from '@shared/evaluation/separability'
import { TsneOptionsSchema, type EvaluationProgress, type EvaluationService } from '@shared/evaluation/service'
import {
  EvaluateRequestSchema,
  FeaturesRequestSchema,
  MatrixRequestSchema,
  StoredMetricsSchema,
  type EvaluationMatrix,
  type EvaluationRecord,
  type EvaluationSummary,
  type EvaluationVariant,
  type FeatureSet,
  type MatrixColumn,
  type MatrixRequest,
  type MatrixRow,
  type PredictionRow,
} from '@shared/evaluation/types'
import type { LibraryService } from '@shared/library/types'
import type { LungModelRef, RunRecord } from '@shared/runs/record'
import type { RunsService } from '@shared/runs/service'
import type { InputImage } from '../inputs'
import { modelInputSettings, readModelCard } from '../runs/executeJob'
import type { JobLauncher } from '../workers/launcher'
import { splitImages, type CompositionSource, type SplitImage } from './compositionImages'
import { createEvaluationStore } from './evaluationStore'
import type { ModelOutputs } from './evaluationJobs'

/** Dependencies of the evaluation service. */
export interface EvaluationDeps {
  dataFolder: string
  runs: Pick<RunsService, 'get' | 'list'> & {
    /** The lung model a run's model was trained with (found by content id), or null when it did not mask. */
    lungModelOfModel(modelFolder: string): Promise<LungModelRef | null>
  }
  compositions: CompositionSource
  library: Pick<LibraryService, 'listImages'>
  /** The lung model the app uses now: finds the lungs for the lungs-removed test of a run that did not mask. */
  activeLungModel?: () => Promise<LungModelRef | null>
  /** Starts the heavy parts (inputs and the network, t-SNE) as jobs: in workers in the app. */
  jobs: JobLauncher
}

/** The service with main-process extras (not on IPC). */
export interface EvaluationServiceImpl extends EvaluationService {
  /** Called after each evaluation is stored (the composition root forwards it as `evaluation.onDidStore`). */
  onDidStore(listener: (event: { evaluationId: string; runId: string; compositionId: string }) => void): () => void
  /** Progress of the jobs (throttled to one event per 200 ms, and the last one); forwarded as `evaluation.onDidProgress`. */
  onDidProgress(listener: (progress: EvaluationProgress) => void): () => void
}

/**
 * Creates the evaluation service: scores completed runs on composition splits on this thread's TensorFlow.js
 * backend and stores each result under `<dataFolder>/evaluations/`. Evaluations run one at a time: each holds a
 * model and a split of inputs in memory, and the CPU is shared with training.
 */
export function createEvaluationService(deps: EvaluationDeps): EvaluationServiceImpl {
  const store = createEvaluationStore(deps.dataFolder)
  const listeners = new Set<(event: { evaluationId: string; runId: string; compositionId: string }) => void>()
  const progressListeners = new Set<(progress: EvaluationProgress) => void>()
  let lastProgressAt = 0
  const reportProgress = (progress: EvaluationProgress) => {
    const now = performance.now()
    if (progress.done < progress.total && now - lastProgressAt < 200) return
    lastProgressAt = now
    for (const listener of progressListeners) listener(progress)
  }
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = queue.then(task, task)
    queue = next.catch(() => undefined)
    return next
  }

  async function completedRun(runId: string): Promise<RunRecord & { modelFolder: string }> {
    const record = await deps.runs.get({ runId })
    if (record.state !== 'completed' || !record.modelFolder) throw new Error(`run ${runId} has no model to evaluate: it is ${record.state}`)
    return record as RunRecord & { modelFolder: string }
  }

  /**
   * A run's model on images, its inputs made as the run made its own (its preprocessing and the lung model it
   * trained with), in a job worker: probabilities, or encoder features.
   */
  async function outputsOf(run: RunRecord & { modelFolder: string }, images: SplitImage[], variant: EvaluationVariant, output: 'probability' | 'features'): Promise<ModelOutputs> {
    const card = await readModelCard(run.modelFolder)
    const settings = modelInputSettings(card)
    const lungModel = settings.lungModelId !== null ? await deps.runs.lungModelOfModel(run.modelFolder) : null
    const lungsModel = variant === 'lungs-removed' && !lungModel ? ((await deps.activeLungModel?.()) ?? null) : null
    if (variant === 'lungs-removed' && !lungModel && !lungsModel) {
      throw new Error('the lungs-removed test needs a lung segmentation model to find the lungs, and none is installed (train or install one: cxr train-lungs)')
    }
    const job = { dataFolder: deps.dataFolder, modelFolder: run.modelFolder, images: images.map(inputImageOf), settings, lungModel, lungsModel, variant, output, batchSize: 8 }
    const task = output === 'features' ? 'features' : 'evaluate'
    return deps.jobs.launch('model-outputs', job, (event) => reportProgress({ runId: run.id, task, stage: event.stage, done: event.done, total: event.total })).done
  }

  async function evaluate(input: Parameters<EvaluationService['evaluate']>[0]): Promise<EvaluationRecord> {
    const request = EvaluateRequestSchema.parse(input)
    const run = await completedRun(request.runId)
    const images = await splitImages(deps.compositions, deps.library, request.compositionId, request.split)
    const { values: scores } = await outputsOf(run, images, request.variant, 'probability')
    const predictions: PredictionRow[] = images.map((image, index) => ({
      imageId: image.imageId,
      datasetId: image.datasetId,
      patientId: image.patientId,
      contentHash: image.contentHash,
      label: image.label,
      score: scores[index],
    }))
    const { options } = request
    const result = evaluateBinary({
      labels: predictions.map((row) => row.label),
      scores: predictions.map((row) => row.score),
      patients: predictions.map(patientKey),
      threshold: options.threshold,
      haldane: options.haldane,
      bootstrap: options.replicates > 0 ? { replicates: options.replicates, seed: options.seed } : undefined,
    })
    const now = new Date()
    const record: EvaluationRecord = {
      id: store.newId(now),
      runId: run.id,
      compositionId: request.compositionId,
      split: request.split,
      variant: request.variant,
      createdAt: now.toISOString(),
      options,
      predictions,
      metrics: StoredMetricsSchema.parse(toJsonSafe(result)),
      notes: run.config.compositionId === request.compositionId && request.split !== 'test' ? [`the run trained on this composition's ${request.split} split: optimistic`] : [],
    }
    await store.write(record)
    for (const listener of listeners) listener({ evaluationId: record.id, runId: record.runId, compositionId: record.compositionId })
    return record
  }

  async function summaries(): Promise<EvaluationSummary[]> {
    const { records, problems } = await store.readAll()
    for (const problem of problems) console.warn(`evaluations: skipped an unreadable record: ${problem}`)
    return records.map(({ predictions: _rows, ...summary }) => summary).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
  }

  async function matrix(input: MatrixRequest): Promise<EvaluationMatrix> {
    const request = MatrixRequestSchema.parse(input)
    const allRuns = await deps.runs.list()
    const byId = new Map(allRuns.map((run) => [run.id, run]))
    const runs = request.runIds
      ? request.runIds.map((runId) => {
          const run = byId.get(runId)
          if (!run) throw new Error(`no run ${runId}`)
          return run
        })
      : allRuns.filter((run) => run.state === 'completed').sort((a, b) => a.timings.createdAt.localeCompare(b.timings.createdAt))
    let evaluations = await summaries()
    // Default columns: every composition a selected run trained on or was tested on, in first-seen order.
    const compositionIds =
      request.compositionIds ??
      [...new Set([...runs.map((run) => run.config.compositionId), ...evaluations.filter((evaluation) => runs.some((run) => run.id === evaluation.runId)).map((evaluation) => evaluation.compositionId)])]
    const listed = (await deps.compositions.list?.().catch(() => undefined)) ?? []
    const names = new Map(listed.map((entry) => [entry.id, entry.name]))
    const nameOf = (compositionId: string) => names.get(compositionId) ?? compositionId
    const rows: MatrixRow[] = runs.map((run) => ({
      runId: run.id,
      name: run.config.name,
      architecture: run.config.architecture,
      pretraining: describePretraining(run, byId),
      trainingCompositionId: run.config.compositionId,
      trainingCompositionName: nameOf(run.config.compositionId),
    }))
    const columns: MatrixColumn[] = compositionIds.map((compositionId) => ({ compositionId, name: nameOf(compositionId), split: request.split }))
    let built = buildMatrix({ rows, columns, evaluations, split: request.split, variant: request.variant })
    if (request.computeMissing) {
      const missing = missingCells(built).filter(({ runId }) => byId.get(runId)?.state === 'completed')
      for (const cell of missing) await serial(() => evaluate({ ...cell, split: request.split, variant: request.variant }))
      if (missing.length > 0) {
        evaluations = await summaries()
        built = buildMatrix({ rows, columns, evaluations, split: request.split, variant: request.variant })
      }
    }
    return built
  }

  async function encoderFeatures(input: Parameters<EvaluationService['encoderFeatures']>[0]): Promise<FeatureSet> {
    const request = FeaturesRequestSchema.parse(input)
    const run = await completedRun(request.runId)
    const items: FeatureSet['items'] = []
    const images: SplitImage[] = []
    for (const compositionId of request.compositionIds) {
      // An image in two compositions (a borrowed COVID− set) is kept once: duplicates would pair up in k-NN.
      for (const image of (await splitImages(deps.compositions, deps.library, compositionId, request.split)).slice(0, request.limit)) {
        if (items.some((item) => item.datasetId === image.datasetId && item.imageId === image.imageId)) continue
        items.push({ imageId: image.imageId, datasetId: image.datasetId, patientId: image.patientId, compositionId, label: image.label })
        images.push(image)
      }
    }
    const { values, dimension } = await outputsOf(run, images, 'standard', 'features')
    const rows = Array.from({ length: images.length }, (_, index) => Array.from(values.subarray(index * dimension, (index + 1) * dimension)))
    return { runId: run.id, dimension, items, values: rows }
  }

  async function tsne(features: FeatureSet, options?: Parameters<EvaluationService['tsne']>[1]) {
    const settings = TsneOptionsSchema.parse(options ?? {})
    const points = await deps.jobs.launch('tsne', { values: features.values, options: settings }, (event) =>
      reportProgress({ runId: features.runId, task: 'tsne', stage: event.stage, done: event.done, total: event.total }),
    ).done
    return points.map(([x, y], index) => ({ x, y, imageId: features.items[index].imageId, datasetId: features.items[index].datasetId, label: features.items[index].label }))
  }

  return {
    evaluate: (request) => serial(() => evaluate(request)),
    list: summaries,
    get: ({ evaluationId }) => store.read(evaluationId),
    remove: ({ evaluationId }) => store.remove(evaluationId),
    matrix,
    exportMatrixCsv: async (request) => matrixToCsv(await matrix(request)),
    exportMatrixJson: async (request) => `${JSON.stringify(await matrix(request), null, 2)}\n`,
    exportPredictionsCsv: async ({ evaluationId }) => predictionsToCsv((await store.read(evaluationId)).predictions),
    exportPredictionsJson: async ({ evaluationId }) => `${JSON.stringify((await store.read(evaluationId)).predictions, null, 2)}\n`,
    encoderFeatures: (request) => serial(() => encoderFeatures(request)),
    tsne,
    async bias(request) {
      const features = await serial(() => encoderFeatures(request))
      const data = {
        values: features.values,
        classes: features.items.map((item) => item.datasetId),
        groups: features.items.map((item) => patientKey(item)),
      }
      return { runId: features.runId, points: await tsne(features, request.tsne), knn: knnSeparability(data, 5), probe: datasetProbe(data) }
    },
    onDidStore(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    onDidProgress(listener) {
      progressListeners.add(listener)
      return () => progressListeners.delete(listener)
    },
  }
}

/** How the input pipeline names a composition image in messages. */
function inputImageOf(image: SplitImage): InputImage {
  return { path: image.path, contentHash: image.contentHash, description: `image ${image.imageId} of dataset "${image.datasetId}"` }
}

/** Table II's "pre-training" column: none, or the datasets the encoder was pre-trained on (through an encoder run). */
function describePretraining(run: RunRecord, runs: Map<string, RunRecord>): string {
  const pretraining = run.config.pretraining
  if (pretraining.kind === 'none') return 'none'
  if (pretraining.kind === 'train') return pretraining.datasetIds.join('+')
  const source = runs.get(pretraining.runId)
  if (source?.config.pretraining.kind === 'train') return source.config.pretraining.datasetIds.join('+')
  return `run ${pretraining.runId}`
}
