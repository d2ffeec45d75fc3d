import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseCompositionSpec } from '@shared/datasets'
import type { RunConfigInput } from '@shared/runs/config'
import type { RunRecord } from '@shared/runs/record'
import { createAppServices, type AppServices } from '../../app/createServices'
import type { BenchFigure, BenchSuite, ScaleRequest } from './figures'
import { peakRssSinceStart, watchRss } from './peakMemory'
import { writeSyntheticDataset } from './syntheticDataset'
import { measureArchitecture } from './trainingSuite'

const SUITE = 'scale'
const DATASET = 'scale'

/** Options of {@link createScaleSuite}; `cxr bench` passes the command line's, the test small ones. */
export interface ScaleSuiteOptions {
  /** Side of the generated DICOMs (default 1024). */
  imageSize?: number
  /** Where the temporary folder goes (default the system's temporary folder). */
  tempFolder?: string
  /** Environment of the app's services (default process.env). */
  env?: NodeJS.ProcessEnv
}

const MB = 1e6

/** The CPU a stage used, for a shared machine where wall-clock rates depend on what else runs. */
function perCpu(images: number, cpuSeconds: number): string {
  return `; ${cpuSeconds.toFixed(0)} CPU-s (${(images / cpuSeconds).toFixed(1)} images per CPU-second, workers included)`
}

/** One run through the app's runs service, with the peak RSS while it ran. */
async function timedRun(app: AppServices, config: RunConfigInput, log: (text: string) => void): Promise<{ record: RunRecord; wallSeconds: number; peakRss: number; cpuSeconds: number }> {
  const rss = watchRss()
  const began = performance.now()
  const { runId } = await app.runs.start(config)
  // A line every 10 s, so a long run shows where it is.
  let shown = began
  const stopProgress = app.runs.onDidProgress(({ progress }) => {
    if (performance.now() - shown < 10_000) return
    shown = performance.now()
    log(`scale:   ${progress.phase} epoch ${progress.epoch + 1}, step ${progress.step}/${progress.stepsPerEpoch}, ${progress.imagesPerSecond.toFixed(1)} images/s`)
  })
  const record = await app.runs.waitForRun({ runId }).finally(stopProgress)
  const wallSeconds = (performance.now() - began) / 1000
  const peakRss = rss.stop()
  const cpuSeconds = rss.cpuSeconds()
  if (record.state !== 'completed') throw new Error(`the scale run ended ${record.state}: ${record.failureReason ?? record.log.slice(-5).join(' / ')}`)
  return { record, wallSeconds, peakRss, cpuSeconds }
}

/**
 * The whole path at a chosen number of images, as the app runs it: N synthetic chest radiographs written as
 * uncompressed DICOM into a temporary folder (deleted afterwards), imported by the import job in its worker
 * (hashing, decode, thumbnails, database), composed (patient-wise splits, labels mapped), then one epoch of a
 * network trained by the runs service in its worker (the first epoch's inputs prepared on the preparation
 * workers, training starting with the first batch), and the same run again on the now-filled input cache. Figures:
 * images/s of each stage, the peak RSS of the process while it ran (job workers are threads of this process, so
 * theirs is included), and the cached run's images/s against the engine's bare training-step rate for the same
 * network and batch (goal ≥ 0.85).
 */
export function createScaleSuite(suiteOptions: ScaleSuiteOptions = {}): BenchSuite {
  return {
    name: SUITE,
    describe: 'generate N DICOMs, import, compose, prepare and train one epoch: images/s per stage and peak RSS',
    async run({ batch, size, runs, warmup, log, scale }) {
      const request: ScaleRequest = scale ?? { images: 1000, network: 'conv8', preprocessing: 'equalize' }
      const imageSize = suiteOptions.imageSize ?? 1024
      const root = mkdtempSync(join(suiteOptions.tempFolder ?? tmpdir(), 'cxr-bench-scale-'))
      const figures: BenchFigure[] = []
      const add = (name: string, value: number, unit: string, detail: string) => figures.push({ suite: SUITE, name, value, unit, detail })
      const setting = `${request.images} images of ${imageSize}², ${request.network} at ${size} px, batch ${batch}, ${request.preprocessing}`
      let app: AppServices | null = null
      try {
        log(`scale: writing ${request.images} synthetic ${imageSize}² DICOMs…`)
        let began = performance.now()
        const source = await writeSyntheticDataset(join(root, 'source'), request.images, imageSize)
        const generateSeconds = (performance.now() - began) / 1000
        add('generate', request.images / generateSeconds, 'images/s', `${request.images} uncompressed DICOMs (${(source.bytes / MB).toFixed(0)} MB, ${source.patients} patients) in ${generateSeconds.toFixed(1)} s; not part of the app`)

        app = createAppServices({ dataFolder: join(root, 'data'), mode: 'cli', env: suiteOptions.env })
        log('scale: importing (the import job, in its worker)…')
        let rss = watchRss()
        began = performance.now()
        const { jobId } = await app.library.startImport({
          spec: { kind: 'csv', dataset: { id: DATASET }, csvPath: source.csvPath, imageFolder: source.imageFolder, fileColumn: 'file', label: { kind: 'column', column: 'label' }, patient: { kind: 'column', column: 'patient' } },
        })
        const report = await app.library.waitForImport({ jobId })
        const importSeconds = (performance.now() - began) / 1000
        const importRss = rss.stop()
        const importCpu = rss.cpuSeconds()
        if (report.images.imported !== request.images) throw new Error(`the scale import imported ${report.images.imported} of ${request.images} images (${report.status}${report.error ? `: ${report.error}` : ''})`)
        add('import', request.images / importSeconds, 'images/s', `${setting}: SHA-256, DICOM decode, WebP thumbnail, SQLite, in ${importSeconds.toFixed(1)} s${perCpu(request.images, importCpu)}`)
        add('import peak RSS', importRss / MB, 'MB', 'process RSS sampled every 100 ms (the import worker is a thread of it)')
        if (request.until === 'import') return figures

        log('scale: composing…')
        began = performance.now()
        const built = await app.compositions.build(
          parseCompositionSpec({ name: 'scale', primary: [DATASET], balance: 'none', labelMapping: { [DATASET]: { positive: 'positive', negative: 'negative' } } }),
        )
        const saved = await app.compositions.save(built.composition, 'scale')
        add('compose', request.images / ((performance.now() - began) / 1000), 'images/s', `patient-wise splits of ${request.images} images, leakage check, saved`)

        const config: RunConfigInput = { architecture: request.network, compositionId: saved.id, input: { resize: size, crop: size }, preprocessing: request.preprocessing, epochs: 1, batchSize: batch, seed: 1 }
        log(`scale: first run (inputs prepared while it trains)…`)
        const first = await timedRun(app, config, log)
        const trainImages = first.record.provenance?.images.filter((image) => image.split === 'train').length ?? 0
        const inputs = first.record.provenance?.images.length ?? 0
        const { prepareSeconds, trainSeconds } = first.record.timings
        add('preparation', inputs / prepareSeconds, 'images/s', `${inputs} inputs (train and validation) decoded, ${request.preprocessing === 'full' ? 'equalized, lung-masked' : request.preprocessing === 'equalize' ? 'equalized' : 'raw'}, resized and cached in ${prepareSeconds.toFixed(1)} s on the preparation workers; goal ≥ 50`)
        add('training, first run', trainImages / trainSeconds, 'images/s', `${trainImages} training images in ${trainSeconds.toFixed(1)} s (validation and checkpoint included), overlapping the preparation; run ${first.wallSeconds.toFixed(1)} s in all${perCpu(inputs, first.cpuSeconds)}`)
        add('first run peak RSS', first.peakRss / MB, 'MB', 'process RSS sampled every 100 ms: the run worker and the preparation workers are threads of it')

        log('scale: the same run on the filled input cache…')
        const cached = await timedRun(app, config, log)
        const cachedRate = trainImages / cached.record.timings.trainSeconds
        add('training, cached', cachedRate, 'images/s', `${trainImages} training images in ${cached.record.timings.trainSeconds.toFixed(1)} s (validation and checkpoint included); run ${cached.wallSeconds.toFixed(1)} s in all${perCpu(trainImages, cached.cpuSeconds)}`)
        add('cached run peak RSS', cached.peakRss / MB, 'MB', 'process RSS sampled every 100 ms')

        // This thread's engine on the same backend preference as the run's worker (the app's setting or CXR_BACKEND).
        await app.engine.init()
        log(`scale: the engine's bare training step of ${request.network} at batch ${batch}…`)
        const engine = await measureArchitecture(request.network, { batch, size, runs: Math.max(runs, 5), warmup: Math.max(warmup, 1) })
        add('engine training step', engine.trainingImagesPerSecond, 'images/s', `the training suite's step on this thread, batch ${batch}, median of ${Math.max(runs, 5)}`)
        add('cached run ÷ engine step', cachedRate / engine.trainingImagesPerSecond, '×', 'goal ≥ 0.85')
        const highWater = peakRssSinceStart()
        if (highWater !== null) add('process peak RSS', highWater / MB, 'MB', 'VmHWM of /proc/self/status: the whole bench process since it started')
        return figures
      } finally {
        if (app) {
          await app.runs.close()
          await app.library.close()
        }
        rmSync(root, { recursive: true, force: true })
      }
    },
  }
}

/** The suite `cxr bench` runs. */
export const scaleSuite: BenchSuite = createScaleSuite()
