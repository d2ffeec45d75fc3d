import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { kermanyFolderSpec } from '@shared/library/importSpecs'
import { createAppServices } from '../../app/createServices'
import { runCli } from '../runCli'
import type { BenchFigure, BenchSuite } from './figures'
import { resolveSharedData } from './imagingSuite'

const SUITE = 'responsiveness'

/** The p-th percentile (0–100) of sorted values. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/** Runs a CLI command on the bench's data folder; throws with its stderr when it fails. */
async function cxr(dataFolder: string, args: string[]): Promise<string> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(['--data-dir', dataFolder, ...args], { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) })
  if (code !== 0) throw new Error(`cxr ${args.join(' ')} failed (${code}): ${stderr.slice(-500)}`)
  return stdout
}

/**
 * How the main process answers while the heavy jobs run: an import (Kermany, 1224 images), an evaluation of a
 * trained model with its t-SNE, and a lung-model training, all at once, as a user would start them from the app.
 * Measured: the main thread's event-loop delay (p50, p99, max: every IPC answer waits at least that long) and
 * the round trip of a real request (`library.listDatasets`) sent every 100 ms. Goal: p99 ≤ 100 ms. Needs the
 * shared data (covid-chestxray, Kermany, the radiologist lung masks); the models are tiny, the data real.
 */
export const responsivenessSuite: BenchSuite = {
  name: SUITE,
  describe: 'main-process event-loop delay while an import, an evaluation and a lung-model training run',
  async run({ log }) {
    const shared = resolveSharedData()
    const needed = ['covid-chestxray', 'kermany-chestxray-224', 'lungmask-radiologist'].map((name) => join(shared, name))
    const missing = needed.find((folder) => !existsSync(folder))
    if (missing) return [{ suite: SUITE, name: 'skipped', value: Number.NaN, unit: '', detail: `${missing} is absent (set CXR_SHARED_DATA)` }]
    const dataFolder = mkdtempSync(join(tmpdir(), 'cxr-bench-responsiveness-'))
    try {
      log('responsiveness: setting up (imports, a composition, a tiny run)…')
      const covid = join(shared, 'covid-chestxray')
      await cxr(dataFolder, ['import', 'csv', covid, '--table', 'frontal_xray_labels.csv', '--images', 'images', '--file-column', 'filename', '--label-column', 'covid', '--map', '1=COVID+', '--map', '0=COVID-', '--patient-column', 'patientid', '--view-column', 'view', '--id', 'covid-chestxray'])
      const radiologist = join(shared, 'lungmask-radiologist')
      await cxr(dataFolder, ['import', 'csv', radiologist, '--table', 'INDEX.csv', '--images', 'images', '--file-column', 'image', '--label', 'unlabelled', '--per-image-patients', '--id', 'radiologist', '--mask-index', join(radiologist, 'INDEX.csv'), '--mask-image-column', 'image', '--mask-column', 'mask', '--mask-dir', join(radiologist, 'masks')])
      const composed = JSON.parse(await cxr(dataFolder, ['compose', '--preset', 'COVID-ChestXRay', '--role', 'COVID-ChestXRay=covid-chestxray', '--map', 'COVID+=positive', '--map', 'COVID-=negative', '--save', 'covid', '--json'])) as { saved: { id: string } }
      const config = join(dataFolder, 'run.json')
      writeFileSync(config, JSON.stringify({ architecture: 'conv8', baseWidth: 4, compositionId: composed.saved.id, input: { resize: 72, crop: 64 }, preprocessing: 'equalize', epochs: 1, batchSize: 8 }))
      const recordPath = (await cxr(dataFolder, ['train', config])).trim()
      const runId = (JSON.parse(readFileSync(recordPath, 'utf8')) as { id: string }).id

      const app = createAppServices({ dataFolder, mode: 'cli' })
      const delay = monitorEventLoopDelay({ resolution: 10 })
      const roundTrips: number[] = []
      let pinging = true
      const ping = (async () => {
        while (pinging) {
          const began = performance.now()
          await app.library.listDatasets({})
          roundTrips.push(performance.now() - began)
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      })()
      log('responsiveness: import + evaluation + t-SNE + lung training at once…')
      const began = performance.now()
      delay.enable()
      const { jobId: importJob } = await app.library.startImport({ spec: kermanyFolderSpec(join(shared, 'kermany-chestxray-224'), { id: 'kermany' }) })
      const { jobId: lungJob } = await app.lungTraining.start({ datasetIds: ['radiologist'], epochs: 2, inputSize: 64, baseFilters: 4, depth: 3 })
      const evaluation = (async () => {
        await app.evaluation.evaluate({ runId, compositionId: composed.saved.id, split: 'test' })
        await app.evaluation.bias({ runId, compositionIds: [composed.saved.id], split: 'train' })
      })()
      const [importReport, lungSummary] = await Promise.all([app.library.waitForImport({ jobId: importJob }), app.lungTraining.wait({ jobId: lungJob }), evaluation])
      delay.disable()
      pinging = false
      await ping
      const seconds = (performance.now() - began) / 1000
      await app.runs.close()
      const ms = (ns: number) => ns / 1e6
      const trips = [...roundTrips].sort((a, b) => a - b)
      const detail = `while importing ${importReport.images.imported} Kermany images, training a lung U-Net (${lungSummary.status}${lungSummary.error ? `: ${lungSummary.error}` : ''}) and evaluating a run with its t-SNE, ${seconds.toFixed(0)} s; goal p99 ≤ 100 ms`
      return [
        { suite: SUITE, name: 'main event-loop delay p50', value: ms(delay.percentile(50)), unit: 'ms', detail },
        { suite: SUITE, name: 'main event-loop delay p99', value: ms(delay.percentile(99)), unit: 'ms', detail },
        { suite: SUITE, name: 'main event-loop delay max', value: ms(delay.max), unit: 'ms', detail },
        { suite: SUITE, name: 'request round trip p99', value: percentile(trips, 99), unit: 'ms', detail: `library.listDatasets every 100 ms (${trips.length} requests), ${detail}` },
      ] satisfies BenchFigure[]
    } finally {
      rmSync(dataFolder, { recursive: true, force: true })
    }
  },
}
