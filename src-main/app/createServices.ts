import { mkdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { CxrHandlers } from '@shared/ipc'
import type { SystemReport } from '@shared/system/systemTypes'
import { createEventHub, type EventHub } from '../ipc/eventHub'
import { BACKEND_ENV, createEngineService, type EngineService } from '../services/engine/engineService'
import { BackendPreferenceSchema } from '@shared/system/engineTypes'
import type { DecodedImage } from '@shared/imaging/types'
import type { LibraryService } from '@shared/library/types'
import { createCompositionService, type CompositionService } from '../services/datasets/compositionService'
import { createFilesService, type FilesService } from '../services/files/filesService'
import { createLibraryService, openLibraryDatabase } from '../services/library'
import { createImagingService, type ImagingService } from '../services/imaging'
import { toViewerImage } from '../services/imaging/viewerImage'
import { defaultLungModelDir } from '../services/lung/model/shippedModel'
import { createLungMaskService, type LungMaskService } from '../services/lung/viewerMasks'
import { createOpenImageCache, type OpenImageSource } from '../services/viewer/openImageCache'
import { createRunsService, type RunsServiceImpl } from '../services/runs/runsService'
import { createEvaluationService, type EvaluationServiceImpl } from '../services/evaluation'
import { createLungMaskJobs, createLungModelRegistry, lungModelIdentity, type LungMaskJobs } from '../services/lung'
import { loadLungModel, type LungModel } from '../services/lung/model/lungModel'
import { createLungTrainingService, type LungTrainingService } from '../services/lung'
import { createGradCamTool } from '../services/evaluation/gradCam'
import { createTryImageTool, type TryImageTool } from '../services/evaluation/tryImage'
import { createJobLauncher } from '../services/workers/launcher'
import type { WorkerBackend } from '../services/workers/protocol'
import { assembleReport } from '../services/report/assembleReport'
import type { GradCamExampleDeps } from '../services/report/gradCamExamples'
import { renderReport, reportWarnings } from '../services/report/htmlReport'
import { createSettingsStore, type SettingsStore } from '../services/settings/settingsStore'
import { createStudyService, type StudyServiceImpl } from '../services/studies/studyService'
import { cachedInputCount } from '../services/studies/cachedInputs'
import { createSystemService, type SystemService } from '../services/system/systemService'
import { createClusterService, type ClusterServiceImpl } from '../services/cluster/clusterService'
import { createSlurmTools } from '../services/cluster/slurmTools'
import { determinismOf } from '@shared/runs/determinism'
import { installNativeEqualization } from '../services/imaging/dicom/codecs/nativeCodecs'
import { libraryHandlers } from './libraryHandlers'
import { APP_VERSION } from './version'

/** Environment variable naming another lung model folder (a site's own model, or none for tests). */
export const LUNG_MODEL_ENV = 'CXR_LUNG_MODEL_DIR'

/** Everything the main process runs, built once per launch. */
export interface AppServices {
  dataFolder: string
  settings: SettingsStore
  engine: EngineService
  system: SystemService
  imaging: ImagingService
  files: FilesService
  lungMasks: LungMaskService
  runs: RunsServiceImpl
  evaluation: EvaluationServiceImpl
  /** "Try an image"; `close()` at exit deletes the dropped files it kept. */
  tryImage: TryImageTool
  lungMaskJobs: LungMaskJobs
  lungTraining: LungTrainingService
  library: LibraryService
  compositions: CompositionService
  studies: StudyServiceImpl
  /** Runs on a cluster: bundles, Slurm, results brought back. */
  cluster: ClusterServiceImpl
  /** What the report's Grad-CAM examples need (the app's report and `cxr report --grad-cam`). */
  reportFigures: GradCamExampleDeps
  events: EventHub
  /** The contract's handlers, ready for a transport to bind. */
  handlers: CxrHandlers
}

/** Options for the composition root. */
export interface AppOptions {
  dataFolder: string
  mode: SystemReport['app']['mode']
  env?: NodeJS.ProcessEnv
  /** Renders HTML to PDF (Electron's printToPDF); absent in browser mode and the CLI. */
  printToPdf?: (html: string) => Promise<Uint8Array>
  /** The lung model to use; by default the shipped one in resources/. */
  lungModelFolder?: string
  /** The desktop app's folder choice: the system's folder dialog (Electron); the only way folders are granted there. */
  chooseFolder?: (title?: string) => Promise<string | null>
  /** Folders browser mode's picker may browse besides the home folder (`--folder-root`). */
  folderRoots?: readonly string[]
  /** The home folder (tests use a temporary one). */
  home?: string
  /** Where browser mode announces grants to the user (its terminal). */
  announce?: (message: string) => void
  /** Asks the user to confirm in the main process (Electron's message box); absent in browser mode and the CLI. */
  confirm?: (question: { message: string; detail: string; action: string }) => Promise<boolean>
}

/**
 * The composition root: wires services to each other and to the contract. Electron, browser mode and the CLI all
 * call this, so the three run the same code.
 */
export function createAppServices(options: AppOptions): AppServices {
  mkdirSync(options.dataFolder, { recursive: true })
  installNativeEqualization(options.env)
  const events = createEventHub()
  const settings = createSettingsStore(options.dataFolder)
  const engine = createEngineService({
    settings,
    env: options.env,
    onDidChangeBackend: (report) => events.emit('engine.onDidChangeBackend', report),
  })
  const system = createSystemService({ engine, dataFolder: options.dataFolder, mode: options.mode, appVersion: APP_VERSION })
  const imaging = createImagingService()
  const files = createFilesService({
    settings,
    mode: options.mode === 'electron' ? 'dialog' : options.mode === 'browser' ? 'picker' : 'direct',
    dataFolder: options.dataFolder,
    folderRoots: options.folderRoots,
    home: options.home,
    announce: options.announce,
  })
  // Heavy jobs (imports, training, evaluation, t-SNE, Grad-CAM, lung masks and lung training) run in worker threads that climb the same backend ladder
  // from the same preference as this process's engine: the environment variable first, then the saved setting,
  // whether or not this process's engine has started.
  const workerBackend = (): WorkerBackend => {
    const fromEnv = BackendPreferenceSchema.safeParse((options.env ?? process.env)[BACKEND_ENV]?.trim())
    if (fromEnv.success) return { preference: fromEnv.data, source: 'environment' }
    const saved = settings.get().backend
    return { preference: saved, source: saved === 'auto' ? 'default' : 'setting' }
  }
  const jobs = createJobLauncher({ kind: 'worker', backend: workerBackend })
  // One connection for this thread's services; each job worker opens its own.
  const libraryDb = openLibraryDatabase(options.dataFolder)
  const library = createLibraryService({
    dataFolder: options.dataFolder,
    db: libraryDb,
    decode: (path, bytes) => imaging.decodeBuffer(bytes, path),
    // The command line reads the paths its user typed; the app's pages may only reach what the user granted.
    readable: options.mode === 'cli' ? undefined : (path, what) => files.resolveGranted(path, what),
    readableScope: async () => (options.mode === 'cli' ? null : files.readableScope()),
    showPhi: () => settings.get().showPhi,
    workerJobs: jobs,
  })
  const privacy = () => ({ showPhi: settings.get().showPhi })
  const compositions = createCompositionService({
    library,
    flaggedImages: async (datasetIds) => {
      const folder = activeLungModel()
      const identity = await lungModelIdentity(folder).catch(() => null)
      const flagged = new Set<string>()
      if (!identity) return flagged
      for (const datasetId of datasetIds) {
        for (const imageId of await lungMaskJobs.excludedImageIds({ datasetId, modelId: identity.modelId })) flagged.add(`${datasetId}/${imageId}`)
      }
      return flagged
    },
  })
  const openImages = createOpenImageCache()
  const lungModelFolder = options.lungModelFolder ?? (options.env ?? process.env)[LUNG_MODEL_ENV] ?? defaultLungModelDir()
  // One loaded copy per model folder, shared by the viewer and the dataset jobs.
  const loadedModels = new Map<string, Promise<LungModel>>()
  const loadModel = (folder: string) => {
    let model = loadedModels.get(folder)
    if (!model) {
      model = engine.init().then(() => loadLungModel(folder))
      model.catch(() => loadedModels.delete(folder))
      loadedModels.set(folder, model)
    }
    return model
  }
  const lungRegistry = createLungModelRegistry(options.dataFolder, () => lungModelFolder, () => new Date())
  const lungTraining = createLungTrainingService({ dataFolder: options.dataFolder, library, ready: () => engine.init(), shippedModelFolder: () => lungModelFolder, registry: lungRegistry, jobs })
  lungTraining.onDidProgress((progress) => events.emit('lungModels.onDidTrainingProgress', progress))
  lungTraining.onDidChangeActiveModel((active) => events.emit('lungModels.onDidChangeActiveModel', active))
  // The model the user chose (a trained one, or the shipped one), read at each use: the viewer and dataset jobs
  // use it as it is now; a run fixes it (by content id) when it first starts and keeps it.
  const activeLungModel = () => lungTraining.activeModelFolder()
  const lungModels = { active: () => lungRegistry.activeRef(), find: (modelId: string) => lungRegistry.findRef(modelId) }
  const lungMasks = createLungMaskService({ modelFolder: activeLungModel, ready: () => engine.init(), loadModel })
  const lungMaskJobs = createLungMaskJobs({
    dataFolder: options.dataFolder,
    db: libraryDb,
    decode: (path) => imaging.decode(path),
    ready: () => engine.init(),
    defaultModelFolder: activeLungModel,
    loadModel,
    jobs,
  })
  lungMaskJobs.onDidProgress((progress) => events.emit('lungMasks.onDidProgress', progress))
  const runs = createRunsService({
    dataFolder: options.dataFolder,
    library,
    lungModels,
    ownerKind: options.mode === 'cli' ? 'cli' : 'app',
    backend: workerBackend,
    appVersion: APP_VERSION,
  })
  const evaluation = createEvaluationService({
    dataFolder: options.dataFolder,
    runs,
    compositions: { load: (compositionId) => compositions.load(compositionId), list: () => compositions.list() },
    library,
    activeLungModel: lungModels.active,
    jobs,
  })
  evaluation.onDidStore((event) => events.emit('evaluation.onDidStore', event))
  evaluation.onDidProgress((progress) => events.emit('evaluation.onDidProgress', progress))
  const gradCam = createGradCamTool({ dataFolder: options.dataFolder, runs, activeLungModel: lungModels.active, jobs })
  const tryImage = createTryImageTool({ gradCam, openImages, folder: join(options.dataFolder, 'cache', 'tried-images') })
  // Paths come from the library here, not from a page, so they need no folder grant.
  const reportFigures: GradCamExampleDeps = { gradCam, library, decode: (path) => imaging.decode(path) }
  // The report's Grad-CAM passes show on the Results page like the evaluations' own progress.
  const gradCamProgress = (done: number, total: number) => events.emit('evaluation.onDidProgress', { runId: null, task: 'grad-cam', stage: 'explaining', done, total })
  // The app continues a study interrupted by closing it; the command line drives only what `cxr study run` asks.
  const studies = createStudyService({
    dataFolder: options.dataFolder,
    runs,
    evaluation,
    compositions: { list: () => compositions.list(), load: (compositionId) => compositions.load(compositionId) },
    datasets: { listDatasets: () => library.listDatasets(), imageRecords: (request) => library.imageRecords(request) },
    cachedInputs: async (contentHashes, settings) => cachedInputCount(options.dataFolder, contentHashes, settings, settings.preprocessing === 'full' ? ((await lungModels.active())?.modelId ?? null) : null),
    ownerKind: options.mode === 'cli' ? 'cli' : 'app',
    autoContinue: options.mode !== 'cli',
  })
  studies.onDidChange((event) => events.emit('studies.onDidChange', event))
  const reportSources = { evaluation, runs, studies, reportFigures }
  const cluster = createClusterService({
    dataFolder: options.dataFolder,
    appVersion: APP_VERSION,
    library,
    compositions,
    runs,
    studies,
    lungModels,
    jobs,
    slurm: createSlurmTools(options.env ?? process.env),
    threads: async () => determinismOf(await engine.init()).threads,
    // The app's pages may only write into folders the user granted; the command line writes where its user typed.
    writableFolder: options.mode === 'cli' ? undefined : (path) => files.resolveGranted(path, 'folder'),
  })
  cluster.onDidProgress((event) => events.emit('cluster.onDidProgress', event))
  runs.onDidProgress((event) => events.emit('runs.onDidProgress', event))
  runs.onDidChange((event) => events.emit('runs.onDidChange', event))
  const openForViewer = async (name: string, decoded: Promise<DecodedImage>, source: OpenImageSource) => {
    const image = await decoded
    return toViewerImage(name, image, openImages.put(image, name, source))
  }
  library.onDidProgress((progress) => events.emit('library.onDidImportProgress', progress))
  const handlers: CxrHandlers = {
    system: {
      getReport: () => system.getReport(),
      privacy,
      setShowPhi: async ({ show }) => {
        const question = {
          message: 'Show identifying data?',
          detail: 'Patient names, birth dates and other identifying data from DICOM headers and older table imports will appear in dataset listings until you turn this off.',
          action: 'Show identifying data',
        }
        if (show && options.confirm && !(await options.confirm(question))) return privacy()
        settings.update({ showPhi: show })
        options.announce?.(show ? 'Identifying data (PHI) is now shown in dataset listings.' : 'Identifying data (PHI) is hidden again.')
        return privacy()
      },
    },
    engine: {
      getReport: () => engine.init(),
      setPreference: ({ preference }) => engine.setPreference(preference),
    },
    files: {
      listFolder: ({ path, showHidden }) => files.listFolder(path, showHidden),
      grantFolder: ({ path, ticket }) => files.grantFolder(path, ticket),
      chooseFolder: async ({ title }) => {
        if (!options.chooseFolder) throw new Error('In browser mode, choose folders in the app’s folder picker')
        const folder = await options.chooseFolder(title)
        return { folder: folder && (await files.grantChosenFolder(folder))[0], granted: files.grantedFolders() }
      },
      grantedFolders: () => files.grantedFolders(),
    },
    ...libraryHandlers(library, compositions, files),
    imaging: {
      openFile: ({ name, bytes, frame }) => openForViewer(name, imaging.decodeBuffer(bytes, name, { frame }), { kind: 'upload', bytes }),
      openPath: async ({ path, frame }) => {
        const granted = await files.resolveGranted(path, 'image')
        return openForViewer(basename(path), imaging.decode(granted, { frame }), { kind: 'file', path: granted })
      },
    },
    runs: {
      start: async ({ config, estimatedSeconds }) => runs.start(config, { estimatedSeconds }),
      list: () => runs.list(),
      get: (request) => runs.get(request),
      cancel: (request) => runs.cancel(request),
      resume: (request) => runs.resume(request),
      remove: (request) => runs.delete(request),
      restore: (request) => runs.restore(request),
      estimate: ({ config }) => runs.estimate(config),
    },
    lungMasks: {
      forOpenImage: ({ imageKey }) => lungMasks.segment(openImages.get(imageKey)),
      segmentDataset: async (request) => {
        // A model folder from the renderer must be one of the installed lung models, never an arbitrary path.
        if (request.modelFolder && !(await lungTraining.models()).some((model) => model.folder === request.modelFolder)) {
          throw new Error(`${request.modelFolder} is not an installed lung model`)
        }
        return lungMaskJobs.segmentDataset(request)
      },
      cancel: (request) => lungMaskJobs.cancel(request),
      getJob: (request) => lungMaskJobs.getJob(request),
      listJobs: () => lungMaskJobs.listJobs(),
      listFailures: (request) => lungMaskJobs.listFailures(request),
      listMaskQa: (request) => lungMaskJobs.listMaskQa(request),
      setMaskFlag: (request) => lungMaskJobs.setMaskFlag(request),
      maskFor: (request) => lungMaskJobs.maskFor(request),
      lungMaskModels: (request) => lungMaskJobs.lungMaskModels(request),
      excludedImageIds: (request) => lungMaskJobs.excludedImageIds(request),
    },
    evaluation: {
      evaluate: (request) => evaluation.evaluate(request),
      list: () => evaluation.list(),
      get: (request) => evaluation.get(request),
      remove: (request) => evaluation.remove(request),
      matrix: (request) => evaluation.matrix(request),
      exportMatrixCsv: (request) => evaluation.exportMatrixCsv(request),
      exportMatrixJson: (request) => evaluation.exportMatrixJson(request),
      exportPredictionsCsv: (request) => evaluation.exportPredictionsCsv(request),
      exportPredictionsJson: (request) => evaluation.exportPredictionsJson(request),
      encoderFeatures: (request) => evaluation.encoderFeatures(request),
      tsne: ({ features, options }) => evaluation.tsne(features, options),
      bias: (request) => evaluation.bias(request),
    },
    report: {
      html: async (request) => {
        const input = await assembleReport(reportSources, { ...request, appVersion: APP_VERSION, onGradCamProgress: gradCamProgress })
        return { html: renderReport(input), warnings: reportWarnings(input) }
      },
      pdf: async (request) => {
        if (!options.printToPdf) throw new Error('PDF export needs the desktop app; in browser mode export the HTML report and print it to PDF from the browser')
        const input = await assembleReport(reportSources, { ...request, appVersion: APP_VERSION, onGradCamProgress: gradCamProgress })
        return { pdf: await options.printToPdf(renderReport(input)), warnings: reportWarnings(input) }
      },
    },
    explain: {
      gradCam: async ({ runId, imagePath }) => gradCam.gradCam({ runId, imagePath: await files.resolveGranted(imagePath, 'image') }),
      tryImage: (request) => tryImage.tryImage(request),
    },
    studies: {
      start: ({ spec, estimate }) => studies.startWithEstimate(spec, estimate),
      estimate: ({ spec }) => studies.estimate(spec),
      list: () => studies.list(),
      get: (request) => studies.get(request),
      cancel: (request) => studies.cancel(request),
      resume: (request) => studies.resume(request),
      remove: (request) => studies.remove(request),
      restore: (request) => studies.restore(request),
      analysis: (request) => studies.analysis(request),
    },
    cluster: {
      exportBundle: (request) => cluster.exportBundle(request),
      bundles: () => cluster.bundles(),
      status: async ({ folder }) => cluster.status({ folder: await files.resolveGranted(folder, 'folder') }),
      submit: async ({ folder }) => cluster.submit({ folder: await files.resolveGranted(folder, 'folder') }),
      importResults: async ({ folder }) => cluster.importResults({ folder: await files.resolveGranted(folder, 'folder') }),
    },
    lungModels: {
      status: () => lungMasks.status(),
      train: (request) => lungTraining.start(request),
      cancelTraining: (request) => lungTraining.cancel(request),
      resumeTraining: (request) => lungTraining.resume(request),
      getTraining: (request) => lungTraining.get(request),
      listTraining: () => lungTraining.list(),
      models: () => lungTraining.models(),
      setActiveModel: (request) => lungTraining.setActiveModel(request),
      activeModel: () => lungTraining.activeModel(),
    },
  }
  return { dataFolder: options.dataFolder, tryImage, settings, engine, system, imaging, files, lungMasks, lungMaskJobs, lungTraining, runs, evaluation, library, compositions, studies, cluster, reportFigures, events, handlers }
}
