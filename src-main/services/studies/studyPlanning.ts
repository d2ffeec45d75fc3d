import { isTestOnly, type Composition, type ImageRecord } from '@shared/datasets/types'
import type { RunConfig } from '@shared/runs/config'
import type { RunEstimate } from '@shared/runs/service'
import {
  describeOverlap,
  describeStudyIssues,
  expandStudy,
  inputBytes,
  parameterCount,
  preparationSecondsPerImage,
  runDiskBytes,
  StudyError,
  StudySpecSchema,
  testSetOverlaps,
  type StudyEstimate,
  type StudyExpansion,
  type StudySpec,
} from '@shared/studies'

/** The parts of the library a study plans with. */
export interface StudyLibrary {
  compositions: { list(): Promise<{ id: string; name: string }[]>; load(compositionId: string): Promise<{ composition: Composition }> }
  datasets: { listDatasets(): Promise<{ id: string; name: string; classCounts: Record<string, number> }[]>; imageRecords(request: { datasetIds: string[] }): Promise<ImageRecord[]> }
}

/** A study checked against the library and expanded, ready to record. */
export interface PlannedStudy {
  spec: StudySpec
  expansion: StudyExpansion
  /** Saved compositions the study uses, by id. */
  compositions: Map<string, Composition>
  /** Images of each pre-training dataset, by dataset id. */
  pretrainingImages: Map<string, ImageRecord[]>
  datasetProbe: boolean
}

/**
 * Checks a study specification against the library and expands it: every field valid (named when not), every
 * composition saved and none trained on that is test-only, every pre-training dataset present with every one of its
 * labels mapped, and no test set sharing patients or images with the data a model of the study learns from.
 * @throws StudyError with every problem in one message.
 */
export async function planStudy(input: unknown, library: StudyLibrary): Promise<PlannedStudy> {
  const parsed = StudySpecSchema.safeParse(input)
  if (!parsed.success) throw new StudyError(`the study is not valid: ${describeStudyIssues(parsed.error).join('; ')}`)
  const spec = parsed.data
  const names = new Map((await library.compositions.list()).map((summary) => [summary.id, summary.name]))
  const compositions = new Map<string, Composition>()
  for (const id of [...spec.compositions, ...spec.testSets].map((set) => set.compositionId)) {
    if (!names.has(id)) continue // expandStudy names it
    compositions.set(id, (await library.compositions.load(id)).composition)
  }
  const datasets = new Map((await library.datasets.listDatasets()).map((dataset) => [dataset.id, dataset]))
  const pretrainingImages = new Map<string, ImageRecord[]>()
  const problems: string[] = []
  for (const level of spec.pretraining) {
    if (level.pretraining.kind !== 'train') continue
    for (const datasetId of level.pretraining.datasetIds) {
      const dataset = datasets.get(datasetId)
      if (!dataset) {
        problems.push(`the pre-training dataset "${datasetId}" is not in the library (datasets: ${[...datasets.keys()].join(', ') || 'none'})`)
        continue
      }
      const unmapped = Object.keys(dataset.classCounts).filter((label) => !Object.hasOwn(level.pretraining.kind === 'train' ? level.pretraining.labelMap : {}, label))
      if (unmapped.length) problems.push(`say which pre-training class each label of "${dataset.name}" is: ${unmapped.map((label) => `"${label}"`).join(', ')} (normal, bacteria, virus or exclude)`)
      if (!pretrainingImages.has(datasetId)) pretrainingImages.set(datasetId, await library.datasets.imageRecords({ datasetIds: [datasetId] }))
    }
  }
  if (problems.length) throw new StudyError(problems.join('; '))
  const expansion = expandStudy(spec, {
    compositionName: (id) => names.get(id),
    isTestOnly: (id) => {
      const composition = compositions.get(id)
      return composition !== undefined && isTestOnly(composition.spec)
    },
    datasetName: (id) => datasets.get(id)?.name,
  })
  const overlaps = testSetOverlaps({
    testSets: expansion.testSets.map((set) => ({ name: set.name, composition: compositions.get(set.compositionId)! })),
    trainingSets: spec.compositions.map((set) => ({ name: names.get(set.compositionId)!, composition: compositions.get(set.compositionId)! })),
    pretraining: [...pretrainingImages].map(([datasetId, images]) => ({ name: datasets.get(datasetId)?.name ?? datasetId, images })),
  })
  if (overlaps.length) throw new StudyError(`${overlaps.map(describeOverlap).join('; ')}.`)
  const sources = new Set(expansion.testSets.flatMap((set) => compositions.get(set.compositionId)!.assignments.filter((assignment) => assignment.split === 'test').map((assignment) => assignment.datasetId)))
  return { spec, expansion, compositions, pretrainingImages, datasetProbe: spec.evaluation.datasetProbe && sources.size >= 2 }
}

/** What estimating a study needs from the runs and the input cache. */
export interface EstimateTools {
  /** Times real training steps of a run configuration on the backend (the runs service's estimate). */
  estimateRun(config: RunConfig): Promise<RunEstimate>
  /** How many of these images already have a prepared input for these settings in the cache. */
  cachedInputs?(contentHashes: string[], settings: Pick<RunConfig, 'preprocessing' | 'input'>): Promise<number>
}

/** The most images per test set the "which dataset?" probe reads (t-SNE's and the probe's cost grows with it). */
export const PROBE_IMAGES_PER_SET = 300

/**
 * Time and disk of a planned study: each distinct cell's run timed on the backend (seeds take the same time), the
 * inputs not yet cached at the preprocessing's rough cost per image, evaluations and probes at a third of a
 * training step per image (a forward pass), and the bytes of models, checkpoints and new cached inputs.
 */
export async function estimateStudy(planned: PlannedStudy, tools: EstimateTools): Promise<StudyEstimate> {
  const { spec, expansion, compositions } = planned
  const testImages = (compositionId: string) => compositions.get(compositionId)!.assignments.filter((assignment) => assignment.split === 'test')
  const cells: StudyEstimate['cells'] = []
  let trainingSeconds = 0
  let evaluationSeconds = 0
  let backend = ''
  for (const cell of expansion.cells) {
    const slots = expansion.slots.filter((slot) => slot.cellKey === cell.key)
    const config = slots[0].config
    const timed = await tools.estimateRun(config)
    backend = timed.backend
    cells.push({ cellKey: cell.key, label: cell.label, secondsPerRun: timed.totalSeconds, runs: slots.length, parameters: parameterCount(config) })
    trainingSeconds += timed.totalSeconds * slots.length
    const forward = timed.secondsPerStep / config.batchSize / 3
    const scored = expansion.testSets.reduce((sum, set) => sum + testImages(set.compositionId).length, 0)
    const probed = planned.datasetProbe ? expansion.testSets.reduce((sum, set) => sum + Math.min(PROBE_IMAGES_PER_SET, testImages(set.compositionId).length), 0) : 0
    // Half a second per evaluation for its patient bootstrap and the record.
    evaluationSeconds += slots.length * ((scored + probed) * forward + 0.5 * expansion.testSets.length)
  }
  // Inputs are prepared once per preprocessing and size, then read from the cache by every run and evaluation.
  const bySettings = new Map<string, { settings: Pick<RunConfig, 'preprocessing' | 'input'>; hashes: Set<string> }>()
  for (const slot of expansion.slots) {
    const { preprocessing, input } = slot.config
    const key = JSON.stringify({ preprocessing, input })
    const entry = bySettings.get(key) ?? { settings: { preprocessing, input }, hashes: new Set<string>() }
    bySettings.set(key, entry)
    for (const assignment of compositions.get(slot.config.compositionId)!.assignments) if (assignment.split !== 'test') entry.hashes.add(assignment.contentHash)
    for (const set of expansion.testSets) for (const assignment of testImages(set.compositionId)) entry.hashes.add(assignment.contentHash)
    if (slot.config.pretraining.kind === 'train') for (const datasetId of slot.config.pretraining.datasetIds) for (const image of planned.pretrainingImages.get(datasetId) ?? []) entry.hashes.add(image.contentHash)
  }
  let preparationSeconds = 0
  let cacheBytes = 0
  let neededInputs = 0
  let cachedInputs = 0
  for (const { settings, hashes } of bySettings.values()) {
    const cached = (await tools.cachedInputs?.([...hashes], settings)) ?? 0
    neededInputs += hashes.size
    cachedInputs += cached
    preparationSeconds += (hashes.size - cached) * preparationSecondsPerImage(settings.preprocessing)
    cacheBytes += (hashes.size - cached) * inputBytes(settings.input.crop)
  }
  const modelBytes = expansion.slots.reduce((sum, slot) => sum + runDiskBytes(slot.config), 0)
  return {
    backend,
    cells,
    trainingSeconds,
    preparationSeconds,
    evaluationSeconds,
    totalSeconds: trainingSeconds + preparationSeconds + evaluationSeconds,
    disk: { modelBytes, cacheBytes, totalBytes: modelBytes + cacheBytes },
    cachedInputs,
    neededInputs,
    notes: [
      `Training: two real steps of each distinct run timed on ${backend}; ${expansion.slots.length} runs one after another (one program trains one run at a time).`,
      `Inputs: ${neededInputs - cachedInputs} of ${neededInputs} still to prepare, at roughly 35 ms per image (65 ms with the lung mask).`,
      'Disk: each run’s model, best and last checkpoints with the optimizer’s state (float32), doubled with pre-training; plus the new cached inputs.',
      `One run of ${spec.seeds.length} seeds per cell; a run that stops is resumed from its last checkpoint, so a restart costs at most an epoch.`,
    ],
  }
}
