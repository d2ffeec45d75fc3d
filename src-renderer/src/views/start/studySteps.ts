import type { EvaluationSummary } from '@shared/evaluation/types'
import type { CompositionSummary, DatasetSummary } from '@shared/library/summaries'
import type { RunRecord } from '@shared/runs/record'
import { formatDuration } from '@shared/studies/estimate'
import { isExternal } from '../runs/studyDraft'

/** What the first-study path reads from the library: enough to say, for each step, what is done and what is next. */
export interface StudyState {
  datasets: DatasetSummary[]
  compositions: CompositionSummary[]
  /** Images of each dataset whose lungs the active lung model has segmented. */
  segmented: Record<string, number>
  /** The lung model the app uses, by name (null when none is installed). */
  lungModelName: string | null
  runs: RunRecord[]
  evaluations: EvaluationSummary[]
}

/** The five steps of a first study, in order. */
export const STUDY_STEP_IDS = ['import', 'segment', 'compose', 'train', 'results'] as const
/** One step of the first study. */
export type StudyStepId = (typeof STUDY_STEP_IDS)[number]

/** Where a step stands: done, the one to do now, under way, or waiting for an earlier one. */
export type StudyStepStatus = 'done' | 'next' | 'running' | 'waiting'

/** A button a step offers: where it leads (a route with its query). */
export interface StudyAction {
  label: string
  path: string
  query?: Record<string, string>
}

/** One step as the checklist and the pages' path bar show it. */
export interface StudyStep {
  id: StudyStepId
  number: number
  title: string
  status: StudyStepStatus
  /** What is done so far, in a sentence (empty when nothing is). */
  done: string
  /** What to do now (or what this step waits for). */
  next: string
  action: StudyAction | null
  /** An optional extra the step offers once done (an external test set, the report). */
  extra: { text: string; action: StudyAction } | null
}

const TITLES: Record<StudyStepId, string> = {
  import: 'Import your radiographs',
  segment: 'Segment the lungs',
  compose: 'Compose training and test sets',
  train: 'Train a model',
  results: 'See the results',
}

/** Plural-aware counts: "1 image", "258 images". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

/** A run's name as people gave it, else its network and date (never its id). */
export function runName(run: RunRecord): string {
  return run.config.name?.trim() || `${run.config.architecture} run of ${run.timings.createdAt.slice(0, 10)}`
}

/** The training, validation and test images of a saved composition, in words. */
export function compositionSizes(composition: CompositionSummary): string {
  const rows = Object.fromEntries(composition.counts.rows.map((row) => [row.split, row.total.positive + row.total.negative]))
  if (isExternal(composition)) return `${count(rows.test ?? 0, 'test image')} (an external test set)`
  return `${rows.train ?? 0} training, ${rows.validation ?? 0} validation and ${count(rows.test ?? 0, 'test image')}`
}

/**
 * The first study as five steps, each saying what is done and what comes next: import → segment → compose → train →
 * results. The first step not done is "next"; later ones wait for it (a run under way is "running").
 */
export function studySteps(state: StudyState): StudyStep[] {
  const { datasets, compositions, runs, evaluations } = state
  const trainable = compositions.filter((composition) => !isExternal(composition))
  const externals = compositions.filter(isExternal)
  // The lungs matter for the datasets a study trains or tests on; before any composition, for every dataset.
  const used = new Set(compositions.flatMap((composition) => composition.datasetIds))
  const relevant = datasets.filter((dataset) => dataset.imageCount > 0 && (used.size === 0 || used.has(dataset.id)))
  const unsegmented = relevant.filter((dataset) => (state.segmented[dataset.id] ?? 0) < dataset.imageCount)
  const completed = runs.filter((run) => run.state === 'completed')
  const latest = [...completed].sort((a, b) => (b.timings.finishedAt ?? '').localeCompare(a.timings.finishedAt ?? ''))[0]
  const training = runs.find((run) => run.state === 'running' || run.state === 'queued')
  const evaluated = latest ? evaluations.filter((evaluation) => evaluation.runId === latest.id && evaluation.variant === 'standard') : []

  const steps: Omit<StudyStep, 'number' | 'status'>[] = [
    {
      id: 'import',
      title: TITLES.import,
      done: datasets.length ? `${count(datasets.length, 'dataset')} in the library: ${datasets.map((d) => `${d.name} (${count(d.imageCount, 'image')}, ${count(d.patientCount, 'patient')})`).join('; ')}.` : '',
      next: datasets.length ? 'Import another collection to test on (an external test set), or go on.' : 'Choose the folder that holds your radiographs (PNG, JPEG or DICOM) and say where their labels and patients are.',
      action: { label: datasets.length ? 'Import another dataset' : 'Import a dataset', path: '/datasets/import' },
      extra: null,
    },
    {
      id: 'segment',
      title: TITLES.segment,
      done:
        relevant.length && !unsegmented.length
          ? `Lungs found in every image of ${relevant.map((d) => d.name).join(', ')}${state.lungModelName ? ` by the lung model “${state.lungModelName}”` : ''}.`
          : relevant.filter((d) => (state.segmented[d.id] ?? 0) > 0).map((d) => `${d.name}: ${state.segmented[d.id]} of ${count(d.imageCount, 'image')} segmented.`).join(' '),
      next: !relevant.length
        ? 'Once your radiographs are imported, the lung model finds the lungs in each image: the paper keeps only the lungs, so the network cannot learn from labels, markers or borders.'
        : !state.lungModelName
        ? 'No lung model is installed: the paper’s preprocessing keeps only the lungs, so install or train one on the Datasets page.'
        : unsegmented.length
          ? `Segment the lungs of ${unsegmented[0].name} (${state.segmented[unsegmented[0].id] ?? 0} of ${count(unsegmented[0].imageCount, 'image')} so far), then look at the most unusual masks first.`
          : 'Review the most unusual masks and flag bad ones: flagged images are left out of new compositions.',
      action: (unsegmented[0] ?? relevant[0]) ? { label: unsegmented.length ? 'Segment the lungs' : 'Review the masks', path: '/datasets', query: { dataset: (unsegmented[0] ?? relevant[0]).id, show: 'masks' } } : null,
      extra: null,
    },
    {
      id: 'compose',
      title: TITLES.compose,
      done: trainable.length ? `${trainable.map((c) => `${c.name}: ${compositionSizes(c)}`).join('; ')}.${externals.length ? ` External test sets: ${externals.map((c) => c.name).join(', ')}.` : ''}` : '',
      next: trainable.length
        ? externals.length
          ? 'Every model is also tested on the external test sets.'
          : 'Optional: test on a dataset the model never saw — make a whole dataset an external test set.'
        : 'Split the images into training, validation and test sets by patient (no patient on two sides); the paper’s recipes are ready to use.',
      action: { label: trainable.length ? 'Compose another set' : 'Compose the sets', path: '/datasets/compose' },
      extra: trainable.length && !externals.length && datasets.length > 1 ? { text: 'Use a whole dataset as an external test set', action: { label: 'Make an external test set', path: '/datasets/compose', query: { external: '1' } } } : null,
    },
    {
      id: 'train',
      title: TITLES.train,
      done: training
        ? `${runName(training)} is ${training.state === 'queued' ? 'waiting to start' : 'training'}${training.progress ? ` (${training.progress.phase === 'preparing' ? 'preparing its inputs' : `epoch ${training.progress.epoch + 1} of ${training.progress.epochs}`})` : ''}.`
        : completed.length
          ? `${count(completed.length, 'trained model')}: ${completed.map(runName).join(', ')}${latest?.timings.trainSeconds ? ` (the last took ${formatDuration(latest.timings.prepareSeconds + latest.timings.trainSeconds)})` : ''}.`
          : '',
      next: completed.length ? 'Train more (the paper’s grid, or a study with several seeds) when the first results make sense.' : 'Start with a quick look: a small network on small images that trains in minutes, to see the whole path before the paper’s runs, which take hours.',
      action: { label: completed.length ? 'Train another model' : 'Start a quick look', path: '/runs', query: { new: 'quick' } },
      extra: null,
    },
    {
      id: 'results',
      title: TITLES.results,
      done: evaluated.length ? `${runName(latest!)} was tested on ${count(evaluated.length, 'test set')}.` : '',
      next: latest
        ? evaluated.length
          ? 'Read the matrix: a model that scores on its own test set but not on the others has learned the dataset, not the disease. Download the report to share it.'
          : `Test ${runName(latest)} on every test set: its own and the external ones.`
        : 'Once a model is trained, test it on every test set here.',
      action: latest ? (evaluated.length ? { label: 'Open the results', path: '/results' } : { label: 'Evaluate this model', path: '/results', query: { evaluate: latest.id } }) : null,
      extra: null,
    },
  ]
  const finished: Record<StudyStepId, boolean> = {
    import: datasets.length > 0,
    segment: relevant.length > 0 && unsegmented.length === 0,
    compose: trainable.length > 0,
    train: completed.length > 0,
    results: evaluated.length > 0,
  }
  // Segmenting is advised, not required (a run finds the lungs itself while preparing its inputs): composing does not
  // wait for it. A step is to do now once every earlier required step is done.
  const ready = (id: StudyStepId) => STUDY_STEP_IDS.slice(0, STUDY_STEP_IDS.indexOf(id)).every((earlier) => earlier === 'segment' || finished[earlier])
  return steps.map((step, index) => ({
    ...step,
    number: index + 1,
    status: step.id === 'train' && training ? 'running' : finished[step.id] ? 'done' : ready(step.id) ? 'next' : 'waiting',
  }))
}

/** The step to do now (the first "next" one), or null when every step is done. */
export function currentStep(steps: StudyStep[]): StudyStep | null {
  return steps.find((step) => step.status === 'next') ?? null
}
