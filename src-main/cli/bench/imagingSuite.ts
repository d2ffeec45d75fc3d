import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isImagingError } from '@shared/imaging/errors'
import { histogramEqualize, resize } from '@shared/imaging/preprocess'
import { toPresentationGrey } from '@shared/imaging/presentation'
import type { DecodedImage } from '@shared/imaging/types'
import { decodeImageFile } from '../../services/imaging/index'
import { median, type BenchFigure, type BenchOptions, type BenchSuite } from './figures'

const SUITE = 'imaging'

/** How many covid-chestxray images the aggregate row decodes: enough to average over JPEG/PNG sizes, small enough for a minute. */
const COVID_IMAGES = 100

/** Options of {@link createImagingSuite}; tests shrink the file lists. */
export interface ImagingSuiteOptions {
  /** The shared data folder; default `$CXR_SHARED_DATA`, else `../shared/data` beside the project root. */
  dataFolder?: string
  /** Only the first N DICOM files (sorted); default all of them. */
  dicomLimit?: number
  /** Images of covid-chestxray in the aggregate row; default 100. */
  covidLimit?: number
  /** Environment to read CXR_SHARED_DATA from (default process.env, read at run time). */
  env?: NodeJS.ProcessEnv
}

/** The three timings of one pass over one file, in ms. */
interface PassTimes {
  decode: number
  decodeEqualize: number
  resize: number
}

/**
 * Decoding and preprocessing speed on real radiographs: for every file of shared/data/dicom and for the
 * first 100 images of shared/data/covid-chestxray, the time to decode, to decode and equalize (presentation
 * grey + global histogram equalization at full depth) and to resize the equalized image to `size` (area
 * interpolation, as the chain shrinks). One pass times all three, so each file is decoded once per run.
 */
export function createImagingSuite(suiteOptions: ImagingSuiteOptions = {}): BenchSuite {
  return {
    name: SUITE,
    describe: 'decode, decode + equalize and resize per image on the shared DICOM files and 100 covid-chestxray images',
    async run(options) {
      const dataFolder = suiteOptions.dataFolder ?? resolveSharedData(suiteOptions.env ?? process.env)
      const figures: BenchFigure[] = []
      const dicomFolder = join(dataFolder, 'dicom')
      if (existsSync(dicomFolder)) {
        const files = listFiles(dicomFolder).slice(0, suiteOptions.dicomLimit ?? Infinity)
        for (const file of files) figures.push(...(await benchFile(join(dicomFolder, file), options)))
      } else {
        figures.push(skipped(`dicom: ${dicomFolder} is absent (set CXR_SHARED_DATA)`))
      }
      const covidFolder = join(dataFolder, 'covid-chestxray', 'images')
      const covidLimit = suiteOptions.covidLimit ?? COVID_IMAGES
      if (!existsSync(covidFolder)) figures.push(skipped(`covid-chestxray: ${covidFolder} is absent (set CXR_SHARED_DATA)`))
      else if (covidLimit > 0) figures.push(...(await benchCovid(covidFolder, listFiles(covidFolder).slice(0, covidLimit), options)))
      return figures
    },
  }
}

/** The suite `cxr bench` runs: every shared DICOM file and 100 covid-chestxray images. */
export const imagingSuite: BenchSuite = createImagingSuite()

/**
 * The shared data folder: `CXR_SHARED_DATA`, else `../shared/data` beside the project root. The root is
 * found by walking up to package.json, because this module runs both from its source (tests) and from the
 * bundle in out/main, at different depths.
 */
export function resolveSharedData(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CXR_SHARED_DATA) return resolve(env.CXR_SHARED_DATA)
  return resolve(findProjectRoot(dirname(fileURLToPath(import.meta.url))), '..', 'shared', 'data')
}

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) return process.cwd()
  }
}

/** Regular, visible files of a folder in code-unit order, so "the first 100" is the same everywhere. */
export function listFiles(folder: string): string[] {
  return readdirSync(folder)
    .filter((name) => !name.startsWith('.') && statSync(join(folder, name)).isFile())
    .sort()
}

/** One timed pass: decode, then presentation grey + equalization, then resize. */
async function pass(path: string, size: number): Promise<{ times: PassTimes; image: DecodedImage }> {
  const began = performance.now()
  const image = await decodeImageFile(path)
  const decoded = performance.now()
  const equalized = histogramEqualize(toPresentationGrey(image))
  const equalizedAt = performance.now()
  resize(equalized, { width: size, height: size, mode: 'stretch', interpolation: 'area' })
  const ended = performance.now()
  return { times: { decode: decoded - began, decodeEqualize: equalizedAt - began, resize: ended - equalizedAt }, image }
}

async function benchFile(path: string, { size, runs, warmup, log }: BenchOptions): Promise<BenchFigure[]> {
  const name = basename(path)
  log(`imaging: ${name}…`)
  const times: PassTimes[] = []
  let image: DecodedImage | undefined
  try {
    for (let i = 0; i < warmup; i++) await pass(path, size)
    for (let i = 0; i < runs; i++) {
      const result = await pass(path, size)
      times.push(result.times)
      image = result.image
    }
  } catch (error) {
    // One unreadable file should not hide the figures of the others.
    return [skipped(`${name}: ${isImagingError(error) ? error.detail : String(error)}`)]
  }
  const what = `${image!.width}×${image!.height} ${image!.bitsStored}-bit ${image!.photometric}, ${image!.transferSyntax.name}`
  const how = `median of ${runs} after ${warmup} warm-up`
  return [
    { suite: SUITE, name: `decode ${name}`, value: median(times.map((t) => t.decode)), unit: 'ms/image', detail: `${what}, ${how}` },
    { suite: SUITE, name: `decode+equalize ${name}`, value: median(times.map((t) => t.decodeEqualize)), unit: 'ms/image', detail: `global histogram equalization, ${how}` },
    { suite: SUITE, name: `resize to ${size} ${name}`, value: median(times.map((t) => t.resize)), unit: 'ms/image', detail: `stretch, area, ${how}` },
  ]
}

/**
 * One aggregate row per figure: a run is one pass over all images, its value the mean per image; the
 * median is over runs. Warm-up passes go over all images too, so that timed passes read every file from
 * the page cache rather than the first one paying for the disk.
 */
async function benchCovid(folder: string, files: string[], { size, runs, warmup, log }: BenchOptions): Promise<BenchFigure[]> {
  log(`imaging: ${files.length} covid-chestxray images…`)
  const perRun: PassTimes[] = []
  const failures: string[] = []
  for (let i = 0; i < warmup; i++) for (const file of files) await pass(join(folder, file), size).catch(() => undefined)
  for (let r = 0; r < runs; r++) {
    const sum: PassTimes = { decode: 0, decodeEqualize: 0, resize: 0 }
    let counted = 0
    for (const file of files) {
      try {
        const { times } = await pass(join(folder, file), size)
        sum.decode += times.decode
        sum.decodeEqualize += times.decodeEqualize
        sum.resize += times.resize
        counted++
      } catch (error) {
        if (r === 0) failures.push(`${file}: ${isImagingError(error) ? error.detail : String(error)}`)
      }
    }
    if (counted === 0) return [skipped(`covid-chestxray: no image could be decoded (${failures[0] ?? 'none listed'})`)]
    perRun.push({ decode: sum.decode / counted, decodeEqualize: sum.decodeEqualize / counted, resize: sum.resize / counted })
  }
  const counted = files.length - failures.length
  const how = `mean over ${counted} covid-chestxray images (first ${files.length} sorted${failures.length ? `, ${failures.length} failed` : ''}), median of ${runs} passes after ${warmup} warm-up`
  const figures: BenchFigure[] = [
    { suite: SUITE, name: `decode covid-chestxray ×${counted}`, value: median(perRun.map((t) => t.decode)), unit: 'ms/image', detail: `JPEG/PNG via sharp, ${how}` },
    { suite: SUITE, name: `decode+equalize covid-chestxray ×${counted}`, value: median(perRun.map((t) => t.decodeEqualize)), unit: 'ms/image', detail: `global histogram equalization, ${how}` },
    { suite: SUITE, name: `resize to ${size} covid-chestxray ×${counted}`, value: median(perRun.map((t) => t.resize)), unit: 'ms/image', detail: `stretch, area, ${how}` },
  ]
  for (const failure of failures) log(`imaging: skipped ${failure}`)
  return figures
}

/** A row that says why figures are missing, so a skip shows in the table and the JSON rather than vanishing. */
function skipped(reason: string): BenchFigure {
  return { suite: SUITE, name: 'skipped', value: Number.NaN, unit: '', detail: reason }
}
