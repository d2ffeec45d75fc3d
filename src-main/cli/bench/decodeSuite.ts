import { existsSync } from 'node:fs'
import { basename, join } from 'node:path'
import { isImagingError } from '@shared/imaging/errors'
import { histogramEqualize } from '@shared/imaging/preprocess'
import { toPresentationGrey } from '@shared/imaging/presentation'
import type { DecodedImage } from '@shared/imaging/types'
import { decodeImageFile } from '../../services/imaging/index'
import { median, type BenchFigure, type BenchOptions, type BenchSuite } from './figures'
import { listFiles, resolveSharedData } from './imagingSuite'
import { runPythonPeer, type PythonPeerResult } from './pythonPeer'

const SUITE = 'decode'
const PEER = 'pydicom+GDCM'

/** Options of {@link createDecodeSuite}; tests shrink the file list. */
export interface DecodeSuiteOptions {
  /** The shared data folder; default as {@link resolveSharedData}. */
  dataFolder?: string
  /** Only the first N DICOM files (sorted); default all of them. */
  dicomLimit?: number
}

/** What tests/bench/gdcm_decode.py reports for one file. */
interface PeerFile {
  file: string
  decodeMs?: number
  /** Median CPU ms of the peer's process over the same runs. */
  decodeCpuMs?: number
  /** "gdcm", or "pydicom default" for the syntaxes pydicom never hands to GDCM (uncompressed, RLE). */
  handler?: string
  equalizeMs?: number
  equalizeCpuMs?: number
  error?: string
}

type PeerResult = PythonPeerResult<{ pydicom: string; gdcm: string; numpy: string; files: PeerFile[] }>

/** Median wall-clock and CPU ms of one step over the timed runs. */
interface Timing {
  ms: number
  cpuMs: number
}

/** Our medians for one file. */
interface OurTimes {
  decode: Timing
  /** Undefined for colour or multi-frame images, which the peer does not equalize either. */
  equalize?: Timing
  image: DecodedImage
}

/**
 * Decoding speed beside pydicom with GDCM, file by file on shared/data/dicom: our median time from file to
 * modality values (read, parse, decode, rescale) against `dcmread` + `pixel_array` through GDCM, and full-depth
 * histogram equalization against numpy doing the same mapping. Each file is measured by us and then by the peer
 * straight after, so a machine that gets busier during the suite shifts both sides of a ratio alike.
 */
export function createDecodeSuite(suiteOptions: DecodeSuiteOptions = {}): BenchSuite {
  return {
    name: SUITE,
    describe: 'decode and equalize each shared DICOM file, beside pydicom+GDCM and numpy',
    async run(options) {
      const folder = join(suiteOptions.dataFolder ?? resolveSharedData(), 'dicom')
      if (!existsSync(folder)) return [note(`dicom: ${folder} is absent (set CXR_SHARED_DATA)`)]
      const figures: BenchFigure[] = []
      let peerMissing: string | undefined
      for (const name of listFiles(folder).slice(0, suiteOptions.dicomLimit ?? Infinity)) {
        const path = join(folder, name)
        options.log(`decode: ${name}…`)
        let ours: OurTimes
        try {
          ours = await timeOurs(path, options)
        } catch (error) {
          figures.push(note(`${name}: ${isImagingError(error) ? error.detail : String(error)}`))
          continue
        }
        const peer = options.peer === false || peerMissing ? undefined : await runGdcmPeer(path, options)
        // A peer that cannot start will not start for the next file either: say so once.
        if (peer && !peer.ok) {
          peerMissing = peer.reason
          figures.push(note(peer.reason))
        }
        figures.push(...rowsFor(name, ours, peer?.ok ? peer : undefined, options))
      }
      return figures
    },
  }
}

/** The suite `cxr bench --suite decode` runs: every shared DICOM file. */
export const decodeSuite: BenchSuite = createDecodeSuite()

async function timeOurs(path: string, { runs, warmup }: BenchOptions): Promise<OurTimes> {
  let image: DecodedImage | undefined
  const decode = await timeSteps(async () => {
    image = await decodeImageFile(path)
  }, warmup, runs)
  if (image!.samplesPerPixel !== 1 || image!.frames !== 1) return { decode, image: image! }
  // What the preprocessing chain equalizes: the presentation grey image, so the grey conversion is not timed.
  const grey = toPresentationGrey(image!)
  const equalize = await timeSteps(async () => {
    histogramEqualize(grey)
  }, warmup, runs)
  return { decode, equalize, image: image! }
}

/**
 * Wall-clock and CPU medians of `step`. CPU time is the process's, as the peer measures its own: on a machine other
 * work keeps busy it sways far less than the clock, so its ratio is the one to read there.
 */
async function timeSteps(step: () => Promise<void>, warmup: number, runs: number): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await step()
  const wall: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < runs; i++) {
    const began = performance.now()
    const cpuBegan = process.cpuUsage()
    await step()
    const used = process.cpuUsage(cpuBegan)
    wall.push(performance.now() - began)
    cpu.push((used.user + used.system) / 1000)
  }
  return { ms: median(wall), cpuMs: median(cpu) }
}

function runGdcmPeer(path: string, { runs, warmup }: BenchOptions): Promise<PeerResult> {
  return runPythonPeer({
    script: 'gdcm_decode.py',
    args: ['--runs', String(runs), '--warmup', String(warmup), path],
    label: `${PEER} peer`,
    missing: {
      pattern: /No module named '?(pydicom|gdcm|numpy)|GDCM handler is unavailable/,
      reason: 'python3-pydicom, python3-gdcm or python3-numpy is not installed (apt-get install python3-pydicom python3-gdcm python3-numpy)',
    },
  })
}

/**
 * Our figure, the peer's and their ratio (wall clock, then CPU time), for decoding and, for grey single-frame images,
 * for equalization.
 */
function rowsFor(name: string, ours: OurTimes, peer: Extract<PeerResult, { ok: true }> | undefined, { runs, warmup }: BenchOptions): BenchFigure[] {
  const { image } = ours
  const how = `median of ${runs} after ${warmup} warm-up`
  const theirs = peer?.files.find((file) => file.file === basename(name))
  const rows: BenchFigure[] = [
    { suite: SUITE, name: `decode ${name}`, value: ours.decode.ms, unit: 'ms/image', detail: `${image.width}×${image.height} ${image.bitsStored}-bit, ${image.transferSyntax.name}${image.decoder ? ` through ${image.decoder}` : ''}, file to modality values, ${how}` },
  ]
  if (peer && theirs?.error) rows.push(note(`${PEER} could not decode ${name}: ${theirs.error}`))
  if (peer && theirs?.decodeMs !== undefined) {
    const handler = theirs.handler === 'gdcm' ? 'GDCM' : 'pydicom’s own handler'
    rows.push(
      { suite: SUITE, name: `decode ${name} ${PEER}`, value: theirs.decodeMs, unit: 'ms/image', detail: `pydicom ${peer.pydicom}, GDCM ${peer.gdcm}, dcmread + pixel_array (${handler}), ${how}` },
      ...ratios(`decode ${name}`, ours.decode, { ms: theirs.decodeMs, cpuMs: theirs.decodeCpuMs }, PEER),
    )
  }
  if (ours.equalize === undefined) return rows
  rows.push({ suite: SUITE, name: `equalize ${name}`, value: ours.equalize.ms, unit: 'ms/image', detail: `full-depth global histogram equalization, ${how}` })
  if (peer && theirs?.equalizeMs !== undefined) {
    rows.push(
      { suite: SUITE, name: `equalize ${name} numpy`, value: theirs.equalizeMs, unit: 'ms/image', detail: `numpy ${peer.numpy}, the same mapping, ${how}` },
      ...ratios(`equalize ${name}`, ours.equalize, { ms: theirs.equalizeMs, cpuMs: theirs.equalizeCpuMs }, 'numpy'),
    )
  }
  return rows
}

/** The wall-clock ratio and, where the peer reported CPU time, the CPU-time ratio. */
function ratios(figure: string, ours: Timing, theirs: { ms: number; cpuMs?: number }, peer: string): BenchFigure[] {
  const rows: BenchFigure[] = [{ suite: SUITE, name: `${figure} ratio`, value: ours.ms / theirs.ms, unit: '×', detail: `ours / ${peer}, wall clock, goal ≤ 1.0` }]
  if (theirs.cpuMs !== undefined && theirs.cpuMs > 0) {
    const detail = `ours / ${peer}, CPU time of each process (${ours.cpuMs.toFixed(1)} / ${theirs.cpuMs.toFixed(1)} ms): steadier on a busy machine`
    rows.push({ suite: SUITE, name: `${figure} CPU ratio`, value: ours.cpuMs / theirs.cpuMs, unit: '×', detail })
  }
  return rows
}

/** A row that says why figures are missing, so a skip shows in the table and the JSON rather than vanishing. */
function note(reason: string): BenchFigure {
  return { suite: SUITE, name: 'skipped', value: Number.NaN, unit: '', detail: reason }
}
