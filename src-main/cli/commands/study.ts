import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { covidChestXRayPretrainingStudy, paperNameOfComposition, PRESET_SIZES, tableIVStudy, type PresetSize, type StudyOverview, type StudySpecInput } from '@shared/studies'
import type { AppServices } from '../../app/createServices'
import { UsageError, type CliCommand, type CliIo } from '../command'
import { many, parseStrict } from '../datasets/args'
import { findComposition } from '../lookup'
import { formatAnalysis, formatEstimate, formatOverview } from '../studies/formatStudy'

const USAGE = `cxr study run STUDY.json | STUDY_ID [--no-estimate]
       cxr study show STUDY_ID [--json]
       cxr study list [--json]
       cxr study estimate STUDY.json [--json]
       cxr study preset covid-chestxray-pretraining|table-iv --training COMPOSITION --pretrain DATASET_ID [--external COMPOSITION …] [--size reduced|full] [--out STUDY.json]
The presets: covid-chestxray-pretraining (ResNet-18 pre-trained on ChestXRay or not) and table-iv (the paper's Table IV:
COVID-Net vs ResNet-18, both pre-trained; without --external it is tested on every other saved composition).
A study file names compositions by id (any unique beginning of it) or by name; see src-shared/studies/spec.ts.
'run' estimates, starts and follows the study (Ctrl-C stops it, keeping checkpoints; 'cxr study run STUDY_ID'
continues it), then prints its table. Exit: 0 completed with every run, 1 a run failed or the study stopped, 2 usage.`

/** The preset studies 'cxr study preset' writes. */
const PRESETS = ['covid-chestxray-pretraining', 'table-iv'] as const

/** Seconds between two progress lines of the training run. */
const PROGRESS_INTERVAL_SECONDS = 10

/**
 * `cxr study`: the paper's grid as one job from a terminal, through the same study service as the app (same records,
 * so a study started here shows on the Runs and Results pages, and one interrupted here continues in the app).
 */
export const studyCommand: CliCommand = {
  name: 'study',
  summary: 'run a study (architectures × pre-training × compositions × seeds, tested on every test set) and show its table',
  usage: USAGE,
  async run(args, { io, services }) {
    const [action, ...rest] = args
    switch (action) {
      case 'run':
        return runStudy(rest, io, services())
      case 'show':
        return showStudy(rest, io, services())
      case 'list':
        return listStudies(rest, io, services())
      case 'estimate':
        return estimate(rest, io, services())
      case 'preset':
        return preset(rest, io, services())
      default:
        throw new UsageError(action ? `unknown action '${action}': run, show, list, estimate or preset` : 'give an action: run, show, list, estimate or preset')
    }
  },
}

/** Reads a study file and names its compositions by id (the file may use names or id beginnings, as lists show them). */
async function readStudyFile(file: string, app: AppServices): Promise<StudySpecInput> {
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`)
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${file} must hold one JSON object (the study)`)
  const spec = raw as Record<string, unknown>
  for (const key of ['compositions', 'testSets']) {
    const sets = spec[key]
    if (!Array.isArray(sets)) continue
    spec[key] = await Promise.all(
      sets.map(async (set: unknown) => {
        if (set && typeof set === 'object' && typeof (set as { compositionId?: unknown }).compositionId === 'string') {
          return { ...set, compositionId: (await findComposition(app.compositions, (set as { compositionId: string }).compositionId)).id }
        }
        return set
      }),
    )
  }
  // Checked field by field by the study service, which names every problem.
  return spec as StudySpecInput
}

/** One command per process: stop the services and release the database. */
export async function closeAll(app: AppServices): Promise<void> {
  await app.studies.close()
  await app.runs.close()
  await app.library.close()
}

async function runStudy(args: string[], io: CliIo, app: AppServices): Promise<number> {
  const { values, positionals } = parseStrict(args, { 'no-estimate': { type: 'boolean', default: false } })
  if (positionals.length !== 1) throw new UsageError('give one STUDY.json, or the id of a study to continue')
  const given = positionals[0]
  try {
    let overview: StudyOverview
    if (existsSync(given) && given.endsWith('.json')) {
      const spec = await readStudyFile(given, app)
      let estimated = null
      if (!values['no-estimate']) {
        io.stderr('estimating: timing a few training steps of each distinct run…\n')
        estimated = await app.studies.estimate(spec)
        io.stderr(formatEstimate(estimated))
      }
      overview = await app.studies.startWithEstimate(spec, estimated)
      io.stderr(`study ${overview.record.id} started (Ctrl-C stops it and keeps checkpoints; 'cxr study run ${overview.record.id}' continues it)\n`)
    } else {
      overview = await app.studies.resume({ studyId: given })
      io.stderr(`study ${overview.record.id} continues\n`)
    }
    return await follow(app, overview.record.id, io)
  } finally {
    await closeAll(app)
  }
}

/** Prints progress until the study is completed or stopped; Ctrl-C stops it. */
async function follow(app: AppServices, studyId: string, io: CliIo): Promise<number> {
  const began = performance.now()
  let lastLine = ''
  let lastProgress = 0
  const stopChanges = app.studies.onDidChange((event) => {
    if (event.studyId !== studyId) return
    void app.studies.get({ studyId }).then((overview) => {
      const line = formatOverview(overview)
      if (line !== lastLine) io.stderr(line)
      lastLine = line
    })
  })
  const stopProgress = app.runs.onDidProgress(({ progress }) => {
    const now = performance.now() / 1000
    if (now - lastProgress < PROGRESS_INTERVAL_SECONDS) return
    lastProgress = now
    io.stderr(progress.phase === 'preparing' ? `  preparing inputs ${progress.step}/${progress.stepsPerEpoch}\n` : `  ${progress.phase} epoch ${progress.epoch + 1}/${progress.epochs}, step ${progress.step}/${progress.stepsPerEpoch}\n`)
  })
  const onInterrupt = () => void app.studies.cancel({ studyId }).catch(() => undefined)
  process.once('SIGINT', onInterrupt)
  try {
    const done = await app.studies.waitForStudy({ studyId })
    // A stopped study's run saves its checkpoint before the program ends.
    if (done.progress.currentRunId) await app.runs.waitForRun({ runId: done.progress.currentRunId })
    io.stderr(formatOverview(await app.studies.get({ studyId })))
    io.stderr(`wall time ${((performance.now() - began) / 60_000).toFixed(1)} min\n`)
    if (done.record.state === 'completed') io.stdout(formatAnalysis(await app.studies.analysis({ studyId })))
    return done.record.state === 'completed' && done.progress.runs.failed === 0 ? 0 : 1
  } finally {
    process.off('SIGINT', onInterrupt)
    stopChanges()
    stopProgress()
  }
}

async function showStudy(args: string[], io: CliIo, app: AppServices): Promise<number> {
  const { values, positionals } = parseStrict(args, { json: { type: 'boolean', default: false } })
  if (positionals.length !== 1) throw new UsageError('give one STUDY_ID (any unique beginning of it, or its name)')
  try {
    const overview = await app.studies.get({ studyId: positionals[0] })
    const analysis = await app.studies.analysis({ studyId: overview.record.id })
    if (values.json) {
      io.stdout(`${JSON.stringify({ study: overview.record, progress: overview.progress, analysis }, null, 2)}\n`)
      return 0
    }
    io.stdout(formatOverview(overview))
    for (const problem of overview.record.problems) io.stdout(`  problem: ${problem.message}\n`)
    io.stdout(formatAnalysis(analysis))
    return 0
  } finally {
    await closeAll(app)
  }
}

async function listStudies(args: string[], io: CliIo, app: AppServices): Promise<number> {
  const { values, positionals } = parseStrict(args, { json: { type: 'boolean', default: false } })
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  try {
    const studies = await app.studies.list()
    if (values.json) io.stdout(`${JSON.stringify(studies.map(({ record, progress }) => ({ id: record.id, name: record.spec.name, state: record.state, createdAt: record.createdAt, progress })), null, 2)}\n`)
    else if (studies.length === 0) io.stdout("no studies yet: 'cxr study run STUDY.json' starts one\n")
    else for (const overview of studies) io.stdout(formatOverview(overview))
    return 0
  } finally {
    await closeAll(app)
  }
}

async function estimate(args: string[], io: CliIo, app: AppServices): Promise<number> {
  const { values, positionals } = parseStrict(args, { json: { type: 'boolean', default: false } })
  if (positionals.length !== 1) throw new UsageError('give one STUDY.json')
  if (!existsSync(positionals[0])) throw new UsageError(`no such file: ${positionals[0]}`)
  try {
    const result = await app.studies.estimate(await readStudyFile(positionals[0], app))
    io.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatEstimate(result))
    return 0
  } finally {
    await closeAll(app)
  }
}

async function preset(args: string[], io: CliIo, app: AppServices): Promise<number> {
  const { values, positionals } = parseStrict(args, {
    size: { type: 'string', default: 'reduced' },
    training: { type: 'string' },
    pretrain: { type: 'string' },
    external: { type: 'string', multiple: true },
    out: { type: 'string' },
  })
  const which = positionals[0]
  if (positionals.length !== 1 || !(PRESETS as readonly string[]).includes(which)) throw new UsageError(`the preset studies are ${PRESETS.join(' and ')}`)
  if (!(PRESET_SIZES as readonly string[]).includes(values.size)) throw new UsageError(`--size must be ${PRESET_SIZES.join(' or ')}, got '${values.size}'`)
  if (!values.training || !values.pretrain) throw new UsageError('give --training COMPOSITION (the saved COVID-ChestXRay composition) and --pretrain DATASET_ID (Kermany’s training images)')
  try {
    // Names stay as given: the file reads as the user's library names it, and 'cxr study run' resolves them.
    const training = await findComposition(app.compositions, values.training)
    const size = values.size as PresetSize
    let spec: StudySpecInput
    if (which === 'table-iv') {
      // Every test set in the library unless the user names some: Table IV is about how far a model carries.
      const given = many(values.external)
      const chosen = given.length ? await Promise.all(given.map((name) => findComposition(app.compositions, name))) : (await app.compositions.list()).filter((composition) => composition.id !== training.id)
      const externalTestSets = given.length ? given : chosen.map((composition) => composition.name)
      const paperNames = Object.fromEntries(chosen.map((composition, index) => [externalTestSets[index], paperNameOfComposition(composition)]))
      spec = tableIVStudy({ covidChestXRay: values.training, pretrainDataset: values.pretrain, externalTestSets, paperNames }, size)
    } else {
      for (const external of many(values.external)) await findComposition(app.compositions, external)
      spec = covidChestXRayPretrainingStudy({ covidChestXRay: values.training, pretrainDataset: values.pretrain, externalTestSets: many(values.external) }, size)
    }
    const text = `${JSON.stringify(spec, null, 2)}\n`
    if (values.out) {
      await writeFile(values.out, text)
      io.stderr(`${values.out}: the ${which} preset study at ${values.size} size; run it with 'cxr study run ${values.out}'\n`)
    } else io.stdout(text)
    return 0
  } finally {
    await closeAll(app)
  }
}
