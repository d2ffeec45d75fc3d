/**
 * A study's runs on a Slurm cluster and back (issue 18), end to end through the CLI: a two-run tiny study (generated
 * 40×40 PNGs, a tiny Conv8, one epoch) trained here, exported again as a bundle, its tampered copies refused by
 * hash, then submitted as a job array to a real single-node Slurm (Debian's slurm-wlm and munge on localhost),
 * followed, imported, and checked bit for bit against the runs trained here (same backend, one thread). The Slurm
 * part skips with its reason where Slurm cannot start (not root, programs missing).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { BundleManifest, BundleStatus } from '@shared/cluster'
import type { RunRecord } from '@shared/runs/record'
import { BackendPreferenceSchema } from '@shared/system/engineTypes'
import { createAppServices } from '../../../src-main/app/createServices'
import { runCli } from '../../../src-main/cli/runCli'
import { runBundleTask } from '../../../src-main/services/cluster/runBundleTask'
import { createJobLauncher } from '../../../src-main/services/workers/launcher'
import { tsWorkerEntry } from '../runs/support/fixtures'
import { skipWithReason } from '../../helpers/skip'
import { startLocalSlurm, whyNoSlurm, type LocalSlurm } from './support/localSlurm'

vi.mock('../../../src-main/services/workers/host', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../src-main/services/workers/host')>()),
  defaultWorkerEntry: () => tsWorkerEntry(),
}))

async function cxr(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(['--data-dir', data, ...args], { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) }, env)
  return { code, stdout, stderr }
}

const project = resolve(__dirname, '../../..')
/** The node runs the CLI from the sources, as the tests do (a cluster runs the installed app's bin/cxr.mjs). */
const nodeCommand = `'${join(project, 'node_modules/.bin/tsx')}' --tsconfig '${join(project, 'tsconfig.node.json')}' '${join(project, 'src-main/cli/index.ts')}'`

let root: string
let data: string
let bundle: string
let manifest: BundleManifest
const savedThreads = process.env.CXR_THREADS

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T
const localRun = (runId: string) => readJson<RunRecord>(join(data, 'runs', runId, 'record.json'))

/** 20 patients, one 40×40 PNG each: a bright blob on the left for COVID+, on the right for COVID−. */
async function writeSource(folder: string): Promise<void> {
  mkdirSync(join(folder, 'images'), { recursive: true })
  const rows: string[] = []
  for (let n = 0; n < 20; n++) {
    const positive = n % 2 === 0
    const pixels = Buffer.alloc(40 * 40)
    for (let row = 0; row < 40; row++) {
      for (let column = 0; column < 40; column++) {
        pixels[row * 40 + column] = Math.round(40 + 200 * Math.exp(-((row - 14 - (n % 5) * 3) ** 2 + (column - (positive ? 12 : 28)) ** 2) / 50) + ((n * 31 + row * 7 + column * 13) % 17))
      }
    }
    await sharp(pixels, { raw: { width: 40, height: 40, channels: 1 } }).png().toFile(join(folder, 'images', `img${n}.png`))
    rows.push(`img${n}.png,p${n},${positive ? 1 : 0}`)
  }
  writeFileSync(join(folder, 'labels.csv'), ['filename,patientid,covid', ...rows].join('\n') + '\n')
}

beforeAll(async () => {
  // One thread here and on the node (the script sets CXR_THREADS from the task's CPUs): the same sums, the same bits.
  process.env.CXR_THREADS = '1'
  root = mkdtempSync(join(tmpdir(), 'cxr-cluster-'))
  data = join(root, 'data')
  await writeSource(join(root, 'source'))
  const imported = await cxr(['import', 'csv', join(root, 'source'), '--table', 'labels.csv', '--images', 'images', '--file-column', 'filename', '--label-column', 'covid', '--map', '1=COVID+', '--map', '0=COVID-', '--patient-column', 'patientid', '--id', 'tiny'])
  expect(imported.code, imported.stderr).toBe(0)
  const composed = await cxr(['compose', '--primary', 'tiny', '--map', 'COVID+=positive', '--map', 'COVID-=negative', '--balance', 'none', '--seed', '3', '--save', 'tiny split'])
  expect(composed.code, composed.stderr).toBe(0)
  const study = {
    name: 'cluster study',
    architectures: ['conv8'],
    preprocessing: ['equalize'],
    compositions: [{ compositionId: 'tiny split' }],
    seeds: [1, 2],
    training: { baseWidth: 2, input: { resize: 20, crop: 16 }, headHidden: [4], optimizer: { kind: 'adam' }, learningRate: 0.01, batchSize: 4, epochs: 1 },
    evaluation: { replicates: 200, datasetProbe: false },
  }
  writeFileSync(join(root, 'study.json'), JSON.stringify(study))
  const local = await cxr(['study', 'run', join(root, 'study.json'), '--no-estimate'])
  expect(local.code, local.stderr).toBe(0)
}, 120_000)

afterAll(() => {
  if (savedThreads === undefined) delete process.env.CXR_THREADS
  else process.env.CXR_THREADS = savedThreads
  rmSync(root, { recursive: true, force: true })
})

describe('a study as a cluster bundle', () => {
  it('export writes every file with its SHA-256, the runs, the app version and a job array of two tasks', async () => {
    const backend = localRun(readdirRuns()[0]).provenance!.backend
    bundle = join(root, 'bundle')
    const exported = await cxr(['bundle', 'export', 'cluster study', '--all', '--out', bundle, '--cpus', '1', '--mem', '1G', '--backend', backend, '--cxr-command', nodeCommand])
    expect(exported.code, exported.stderr).toBe(0)
    expect(exported.stdout.trim()).toBe(bundle)
    manifest = readJson<BundleManifest>(join(bundle, 'bundle.json'))
    expect(manifest.appVersion).toBe(readJson<{ version: string }>(join(project, 'package.json')).version)
    expect(manifest.reference).toMatchObject({ backend, threads: backend === 'onednn' ? 1 : manifest.reference.threads })
    expect(manifest.runs.map((run) => [run.task, run.config.seed])).toEqual([[0, 1], [1, 2]])
    // Both runs exported again from the study's completed runs: each names the local run it repeats.
    expect(new Set(manifest.runs.map((run) => run.fromRunId))).toEqual(new Set(readdirRuns()))
    const composition = manifest.files.find((file) => file.path.startsWith('compositions/'))!
    expect(readJson<{ images: { contentHash: string; split: string }[] }>(join(bundle, composition.path)).images).toHaveLength(20)
    // 14 training and validation images, prepared once for both seeds (the same input settings).
    expect(manifest.files.filter((file) => file.path.startsWith('cache/inputs/'))).toHaveLength(14)
    for (const file of manifest.files) expect(file.sha256).toMatch(/^[0-9a-f]{64}$/)
    const script = readFileSync(join(bundle, 'submit.sbatch'), 'utf8')
    expect(script).toContain('#SBATCH --array=0-1\n')
    expect(script).toContain('#SBATCH --cpus-per-task=1\n')
    expect(script).toContain('#SBATCH --mem=1G\n')
    expect(script).toContain(`export CXR_BACKEND="\${CXR_BACKEND:-${backend}}"`)
    expect(readFileSync(join(bundle, 'README.txt'), 'utf8')).toContain('sbatch submit.sbatch')
  }, 60_000)

  it('a node refuses a bundle whose prepared input was changed, naming the file', async () => {
    const damaged = join(root, 'damaged')
    cpSync(bundle, damaged, { recursive: true })
    const input = manifest.files.find((file) => file.path.startsWith('cache/inputs/'))!
    const bytes = readFileSync(join(damaged, input.path))
    bytes[bytes.length - 1] ^= 1
    writeFileSync(join(damaged, input.path), bytes)
    const { code, stderr } = await cxr(['bundle', 'run', damaged, '--task', '0'])
    expect(code).toBe(1)
    expect(stderr).toContain(`${input.path} (${input.what}) does not match its SHA-256`)
    expect(stderr).toContain('same size, different content')
    const missingTask = await cxr(['bundle', 'run', damaged, '--task', '5'])
    expect(missingTask.stderr).toContain('there is no task 5')
  }, 60_000)
})

describe("the Runs page's Send to cluster and Import results", () => {
  it('write a bundle only inside a folder the user chose, list it with its tasks, and import nothing unfinished', async () => {
    const app = createAppServices({ dataFolder: data, mode: 'browser', home: root, env: {} })
    try {
      const runId = readdirRuns()[0]
      await expect(app.handlers.cluster.exportBundle({ source: { kind: 'run', runId }, folder: tmpdir(), slurm: null, images: false })).rejects.toThrow('is not inside a folder you chose')
      const chosen = join(root, 'chosen')
      mkdirSync(chosen)
      await app.files.grantChosenFolder(chosen)
      const sent = await app.handlers.cluster.exportBundle({ source: { kind: 'run', runId }, folder: chosen, slurm: null, images: false })
      expect(sent.folder.startsWith(join(chosen, 'cxr-bundle-'))).toBe(true)
      expect(sent).toMatchObject({ runs: 1, command: 'sbatch submit.sbatch' })
      expect(sent.notes.join(' ')).toContain('trains a new run with the configuration of')
      const listed = await app.handlers.cluster.bundles({})
      expect(listed.map((bundle) => [bundle.folder, bundle.tasks.map((task) => task.state)])).toContainEqual([sent.folder, ['waiting']])
      const result = await app.handlers.cluster.importResults({ folder: sent.folder })
      expect(result.imported).toEqual([])
      expect(result.skipped.map((run) => run.reason)).toEqual(['not started on the cluster yet'])
    } finally {
      await app.runs.close()
      await app.studies.close()
    }
  }, 60_000)
})

describe('a task stopped on its node', () => {
  it('saves a checkpoint and continues from it when run again, to the uninterrupted run bit for bit', async () => {
    // The bundle's first run with two epochs and a checkpoint at every step, in two copies: one trained straight
    // through, one stopped in its first epoch (as scancel or a pre-emption stops a task) and run again.
    const copies = ['straight', 'stopped'].map((name) => {
      const folder = join(root, name)
      cpSync(bundle, folder, { recursive: true })
      const edited = readJson<BundleManifest>(join(folder, 'bundle.json'))
      edited.runs[0].config = { ...edited.runs[0].config, epochs: 2, checkpointEverySteps: 1 }
      writeFileSync(join(folder, 'bundle.json'), JSON.stringify(edited))
      return folder
    })
    const runId = manifest.runs[0].runId
    const jobs = createJobLauncher({ kind: 'worker', entry: tsWorkerEntry(), backend: () => ({ preference: BackendPreferenceSchema.parse(manifest.reference.backend), source: 'environment' }) })
    const lines: string[] = []
    const options = (folder: string) => ({ folder, task: 0, jobs, appVersion: manifest.appVersion, env: { SLURM_ARRAY_JOB_ID: '7', SLURM_ARRAY_TASK_ID: '0', SLURM_JOB_ID: '8' }, log: (line: string) => void lines.push(line) })
    expect((await runBundleTask(options(copies[0]))).state).toBe('completed')
    let stop: (reason: string) => void = () => undefined
    const first = await runBundleTask({
      ...options(copies[1]),
      onStop: (handler) => void (stop = handler),
      onProgress: (progress) => {
        if (progress.phase === 'finetune' && progress.epoch === 0 && progress.step === 1) stop('the scheduler asked the task to stop')
      },
    })
    expect(first.state).toBe('cancelled')
    expect(first.record.resumable).toBe(true)
    expect(existsSync(join(copies[1], 'results', 'runs', runId, 'result.json'))).toBe(false)
    lines.length = 0
    const second = await runBundleTask(options(copies[1]))
    expect(second.state).toBe('completed')
    expect(second.record.timings.attempts).toBe(2)
    expect(lines.join('\n')).toMatch(/attempt 2: resuming task 0[\s\S]*resuming fine-tuning at epoch [12], step \d+/)
    const last = (folder: string) => readFileSync(join(folder, 'results', 'runs', runId, 'checkpoints', 'finetune', 'last', 'weights.bin'))
    expect(last(copies[1]).equals(last(copies[0]))).toBe(true)
    expect(second.record.history.map(({ seconds: _seconds, ...metrics }) => metrics)).toEqual(readJson<RunRecord>(join(copies[0], 'results', 'runs', runId, 'record.json')).history.map(({ seconds: _seconds, ...metrics }) => metrics))
    const third = await runBundleTask(options(copies[1]))
    expect(third.state).toBe('completed')
    expect(lines.at(-1)).toBe(`run ${runId} is completed already: nothing to do`)
  }, 90_000)
})

describe('on a single-node Slurm', () => {
  let slurm: LocalSlurm | null = null
  afterAll(() => slurm?.stop())

  it('submits the two runs as a job array, follows them and imports them bit for bit equal to the local runs', async (context) => {
    const reason = whyNoSlurm()
    if (reason) return skipWithReason(context, `Slurm cannot start here: ${reason}`)
    expect(manifest, 'the export test ran first').toBeDefined()
    slurm = startLocalSlurm(join(root, 'slurm'))
    const submitted = await cxr(['bundle', 'submit', bundle, '--json'], slurm.env)
    expect(submitted.code, submitted.stderr).toBe(0)
    const jobId = (JSON.parse(submitted.stdout) as BundleStatus).submissions[0].jobId
    let status: BundleStatus
    const deadline = Date.now() + 90_000
    do {
      await new Promise((done) => setTimeout(done, 2000))
      const shown = await cxr(['bundle', 'status', bundle, '--json'], slurm.env)
      expect(shown.code, shown.stderr).toBe(0)
      status = JSON.parse(shown.stdout)
    } while (status.tasks.some((task) => !['completed', 'failed'].includes(task.state)) && Date.now() < deadline)
    expect(status.slurm.reachable).toBe(true)
    expect(status.tasks.map((task) => task.state), readLogs()).toEqual(['completed', 'completed'])

    const imported = await cxr(['runs', 'import', bundle])
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stdout.match(/^imported /gm)).toHaveLength(2)
    for (const run of manifest.runs) {
      const cluster = localRun(run.runId)
      const local = localRun(run.fromRunId!)
      expect(cluster.state).toBe('completed')
      expect(readFileSync(join(data, 'runs', run.runId, 'model', 'weights.bin')).equals(readFileSync(join(data, 'runs', local.id, 'model', 'weights.bin')))).toBe(true)
      expect(cluster.history.map(({ seconds: _seconds, ...metrics }) => metrics)).toEqual(local.history.map(({ seconds: _seconds, ...metrics }) => metrics))
      expect(cluster.provenance!.trainedOn).toMatchObject({ cluster: { scheduler: 'slurm', jobId: `${jobId}_${run.task}`, partition: 'debug', sameEngine: true, bundleId: manifest.bundleId } })
      expect(cluster.provenance!.backend).toBe(local.provenance!.backend)
      expect(cluster.timings.trainSeconds).toBeGreaterThan(0)
    }
    // An imported run is a run like the others: it is evaluated as they are.
    const evaluated = await cxr(['evaluate', manifest.runs[0].runId, 'tiny split', '--replicates', '100'])
    expect(evaluated.code, evaluated.stderr).toBe(0)
    const again = await cxr(['runs', 'import', bundle])
    expect(again.stdout.match(/already in the library/g)).toHaveLength(2)
  }, 150_000)

  it('an import refuses a run whose result file was changed on the way back, naming it', async (context) => {
    if (!slurm) return skipWithReason(context, 'the Slurm test did not train the bundle')
    const copy = join(root, 'copy')
    cpSync(bundle, copy, { recursive: true })
    const runId = manifest.runs[1].runId
    writeFileSync(join(copy, 'results', 'runs', runId, 'log.txt'), 'edited\n', { flag: 'a' })
    const fresh = join(root, 'fresh')
    let stdout = ''
    const code = await runCli(['--data-dir', fresh, 'runs', 'import', copy], { stdout: (text) => void (stdout += text), stderr: () => undefined }, {})
    expect(code).toBe(1)
    expect(stdout).toMatch(new RegExp(`^imported ${manifest.runs[0].runId}`, 'm'))
    expect(stdout).toContain(`left out ${runId}`)
    expect(stdout).toContain("log.txt (the run's log)")
  }, 60_000)
})

/** The runs of the data folder (before the import: the study's two local runs). */
function readdirRuns(): string[] {
  return readdirSync(join(data, 'runs')).filter((name) => existsSync(join(data, 'runs', name, 'record.json')))
}

function readLogs(): string {
  return manifest.runs.map((run) => readFileSync(join(bundle, 'logs', `task-${run.task}.out`), 'utf8')).join('\n')
}
