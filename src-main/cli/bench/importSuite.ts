import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { kermanyFolderSpec, type ImportSpecInput } from '@shared/library/importSpecs'
import { measureImportRate } from '../../services/datasets/import/benchmark'
import type { BenchFigure, BenchSuite } from './figures'
import { resolveSharedData } from './imagingSuite'

const SUITE = 'import'

/** Options of {@link createImportSuite}; tests point it at generated folders. */
export interface ImportSuiteOptions {
  /** The shared data folder; default `$CXR_SHARED_DATA`, else `../shared/data` beside the project root. */
  dataFolder?: string
  /** Environment to read CXR_SHARED_DATA from (default process.env, read at run time). */
  env?: NodeJS.ProcessEnv
}

/** One benchmarked dataset: its folder under the shared data and the import the app would run on it. */
interface ImportCase {
  name: string
  folder: string
  spec: (root: string) => ImportSpecInput
}

/**
 * The two real layouts of the paper's data: a CSV listing images (covid-chestxray, mixed JPEG/PNG up to
 * 1024 px) and Kermany's folder-per-class tree (1224 small JPEGs). Explicit specs, the ones the README's
 * import commands write, so the figure times the import users run rather than a guessed layout.
 */
const CASES: ImportCase[] = [
  {
    name: 'covid-chestxray',
    folder: 'covid-chestxray',
    spec: (root) => ({
      kind: 'csv',
      dataset: { id: 'covid-chestxray' },
      csvPath: join(root, 'frontal_xray_labels.csv'),
      imageFolder: join(root, 'images'),
      fileColumn: 'filename',
      label: { kind: 'column', column: 'finding' },
      patient: { kind: 'column', column: 'patientid' },
      viewColumn: 'view',
    }),
  },
  { name: 'kermany-chestxray-224', folder: 'kermany-chestxray-224', spec: (root) => kermanyFolderSpec(root, { id: 'chestxray' }) },
]

/**
 * Import speed in images per second on the shared datasets: everything a real import does (streaming SHA-256,
 * size probe, WebP thumbnail, batched SQLite transactions), each into a throw-away data folder that
 * `measureImportRate` deletes afterwards. One import per dataset: a repeat would find the files in the page
 * cache and the thumbnails' work identical, so `--runs` does not apply. A missing dataset gives a skip row.
 */
export function createImportSuite(suiteOptions: ImportSuiteOptions = {}): BenchSuite {
  return {
    name: SUITE,
    describe: 'import rate (hashing, thumbnails, database) on covid-chestxray and kermany-chestxray-224',
    async run({ log }) {
      const dataFolder = suiteOptions.dataFolder ?? resolveSharedData(suiteOptions.env ?? process.env)
      const figures: BenchFigure[] = []
      for (const item of CASES) {
        const root = join(dataFolder, item.folder)
        if (!existsSync(root)) {
          figures.push({ suite: SUITE, name: 'skipped', value: Number.NaN, unit: '', detail: `${item.name}: ${root} is absent (set CXR_SHARED_DATA)` })
          continue
        }
        log(`import: ${item.name}…`)
        const measured = await measureImportRate(root, { spec: item.spec(root) })
        figures.push({
          suite: SUITE,
          name: `import ${item.name}`,
          value: measured.imagesPerSecond,
          unit: 'images/s',
          detail: `${measured.images} images (${measured.kind}${measured.failed ? `, ${measured.failed} failed` : ''}) in ${measured.seconds.toFixed(1)} s: SHA-256, size probe, WebP thumbnail, SQLite; one run`,
        })
      }
      return figures
    },
  }
}

/** The suite `cxr bench` runs. */
export const importSuite: BenchSuite = createImportSuite()
