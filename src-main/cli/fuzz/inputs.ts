/**
 * What `cxr fuzz` damages: the files a GLOB names; by default the real DICOM files of the shared
 * data folder and a few of its PNG/JPEG radiographs; where that folder is absent, one generated
 * file of every encoding (so the command works on a fresh clone).
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { generateFixtureCorpus } from '../../services/imaging/fixtures/corpus'
import { describeDicom, type DicomLayout } from './mutations'

/** One undamaged input. */
export interface FuzzInput {
  name: string
  bytes: Uint8Array
  dicom: DicomLayout | undefined
}

/** The inputs and where they came from. */
export interface FuzzCorpus {
  origin: 'files' | 'shared data' | 'generated'
  inputs: FuzzInput[]
}

/** Inputs larger than this are skipped: the fuzzer is about damage, not about big files. */
const MAX_INPUT_BYTES = 32 * 2 ** 20
/** PNG and JPEG radiographs taken from the shared data by default (each format). */
const RASTER_SAMPLES = 2

/** Load the inputs: `pattern` when given, else the shared data folder, else generated files. */
export async function loadCorpus(pattern: string | undefined, sharedData: string): Promise<FuzzCorpus> {
  if (pattern) {
    const paths = expandGlob(pattern)
    if (paths.length === 0) throw new Error(`no file matches ${pattern}`)
    return { origin: 'files', inputs: await readInputs(paths) }
  }
  const dicomFolder = join(sharedData, 'dicom')
  if (existsSync(dicomFolder)) {
    const dicom = listFiles(dicomFolder).filter((f) => /\.dcm$/i.test(f))
    const images = join(sharedData, 'covid-chestxray', 'images')
    const raster = existsSync(images) ? listFiles(images) : []
    const pick = (pattern: RegExp) => raster.filter((f) => pattern.test(f)).slice(0, RASTER_SAMPLES)
    return { origin: 'shared data', inputs: await readInputs([...dicom, ...pick(/\.png$/i), ...pick(/\.jpe?g$/i)]) }
  }
  const generated = await generateFixtureCorpus(96, 128)
  return { origin: 'generated', inputs: generated.map(([label, bytes]) => ({ name: `${label} (generated)`, bytes, dicom: describeDicom(bytes) })) }
}

async function readInputs(paths: string[]): Promise<FuzzInput[]> {
  const inputs: FuzzInput[] = []
  for (const path of paths) {
    if (statSync(path).size > MAX_INPUT_BYTES) continue
    const bytes = new Uint8Array(await readFile(path))
    inputs.push({ name: path, bytes, dicom: describeDicom(bytes) })
  }
  return inputs
}

function listFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(folder, entry.name))
    .sort()
}

/**
 * Files matching a glob with `*`, `?` and `**` (Node 20 has no fs.glob), sorted so that a seed
 * picks the same inputs on every run.
 */
export function expandGlob(pattern: string, cwd: string = process.cwd()): string[] {
  const absolute = isAbsolute(pattern) ? pattern : resolve(cwd, pattern)
  const parts = absolute.split(sep)
  const firstWild = parts.findIndex((part) => /[*?]/.test(part))
  if (firstWild < 0) return existsSync(absolute) && statSync(absolute).isFile() ? [absolute] : []
  const base = parts.slice(0, firstWild).join(sep) || sep
  if (!existsSync(base)) return []
  const matcher = globToRegExp(parts.slice(firstWild).join('/'))
  const found: string[] = []
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile() && matcher.test(relative(base, path).split(sep).join('/'))) found.push(path)
    }
  }
  walk(base)
  return found.sort()
}

function globToRegExp(glob: string): RegExp {
  let source = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*' && glob[i + 1] === '*') {
      // '**/' matches any number of folders, including none.
      source += glob[i + 2] === '/' ? '(?:.*/)?' : '.*'
      i += glob[i + 2] === '/' ? 2 : 1
    } else if (c === '*') source += '[^/]*'
    else if (c === '?') source += '[^/]'
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}
