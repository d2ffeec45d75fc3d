import { readFile, writeFile } from 'node:fs/promises'
import { exportComposition, paperTableView, parseCompositionSpec } from '@shared/datasets'
import type { CompositionSpecInput, CountTable } from '@shared/datasets/types'
import type { CompositionSummary } from '@shared/library/summaries'
import type { BuiltComposition } from '../../services/datasets/compositionService'
import { UsageError, type CliCommand } from '../command'
import { many, numberFlag, parseStrict } from '../datasets/args'
import { applyOverrides, customSpec, presetSpec } from '../datasets/composeSpec'
import { formatComposition, formatCompositionList, type CompositionNotes } from '../datasets/compositionReport'
import { findComposition } from '../lookup'
import { parseJsonText } from '@shared/files/jsonText'

const USAGE = `cxr compose --preset NAME --role ROLE=DATASET_ID … [OPTIONS]
       cxr compose --primary ID … [--borrow ID …] [--balance borrow|subsample|none] [OPTIONS]
       cxr compose --spec RECIPE.json [OPTIONS]
       cxr compose --import EXPORT.json [--save NAME] [--export FILE.json] [--json]
       cxr compose --load ID|NAME [--export FILE.json] [--json]
       cxr compose --list [--json]
OPTIONS: [--seed N] [--test-fraction 0.3] [--validation-fraction 0.2] [--map [DATASET:]LABEL=positive|negative|exclude …]
         [--disjoint-from COMPOSITION …] [--name NAME] [--save NAME] [--export FILE.json] [--json]
--test-fraction 1 makes a test-only composition (an external test set: every image is test, use --balance none);
--disjoint-from leaves out the patients and images of saved compositions (e.g. the sets a model trains on).
Presets (Table I): CORDA, CORDA&ChestXRay, CORDA&RSNA, CORDA&COVID-ChestXRay, COVID-ChestXRay;
roles: CORDA, RSNA, ChestXRay, COVID-ChestXRay. Every label of every dataset must be mapped (a preset maps its
own vocabulary; --map adds or overrides). Prints the counts in Table I's layout and the leakage check.
Exit: 0 leak-free, 1 leak or error (nothing saved or exported), 2 usage.`

/**
 * `cxr compose`: the composition builder from a terminal. Builds a paper preset or a custom recipe over the
 * library, prints Table I's counts and the leakage check, and saves or exports it; or rebuilds one from an
 * export (`--import`), matching images by content hash.
 */
export const composeCommand: CliCommand = {
  name: 'compose',
  summary: "compose train/validation/test sets (the paper's presets or a recipe): Table I counts and leakage check",
  usage: USAGE,
  async run(args, { io, services }) {
    const { values, positionals } = parseStrict(args, {
      preset: { type: 'string' },
      role: { type: 'string', multiple: true },
      primary: { type: 'string', multiple: true },
      borrow: { type: 'string', multiple: true },
      balance: { type: 'string' },
      spec: { type: 'string' },
      import: { type: 'string' },
      load: { type: 'string' },
      list: { type: 'boolean', default: false },
      seed: { type: 'string' },
      'test-fraction': { type: 'string' },
      'validation-fraction': { type: 'string' },
      map: { type: 'string', multiple: true },
      'disjoint-from': { type: 'string', multiple: true },
      name: { type: 'string' },
      save: { type: 'string' },
      export: { type: 'string' },
      json: { type: 'boolean', default: false },
    })
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
    const modes = (['preset', 'primary', 'spec', 'import', 'load', 'list'] as const).filter((mode) =>
      mode === 'list' ? values.list : mode === 'primary' ? many(values.primary).length > 0 : values[mode] !== undefined,
    )
    if (modes.length === 0) throw new UsageError('give a recipe: --preset NAME, --primary ID, --spec FILE; or --import FILE, --load ID, --list')
    if (modes.length > 1) throw new UsageError(`give one of --${modes.join(', --')}`)
    const mode = modes[0]
    if (mode !== 'preset' && many(values.role).length) throw new UsageError('--role goes with --preset')
    if (mode !== 'primary' && (many(values.borrow).length || values.balance)) throw new UsageError('--borrow and --balance go with --primary')
    const overrides = {
      seed: numberFlag('seed', values.seed, { what: 'an integer', ok: Number.isInteger }),
      testFraction: numberFlag('test-fraction', values['test-fraction'], { what: 'above 0 and at most 1 (1: a test-only set)', ok: (v) => v > 0 && v <= 1 }),
      validationFraction: numberFlag('validation-fraction', values['validation-fraction'], { what: 'strictly between 0 and 1', ok: (v) => v > 0 && v < 1 }),
      name: values.name,
      maps: many(values.map),
      disjointFrom: many(values['disjoint-from']),
    }
    const recipeMode = mode === 'preset' || mode === 'primary' || mode === 'spec'
    const overridden = Object.entries(overrides).some(([key, value]) => (Array.isArray(value) ? value.length > 0 : value !== undefined))
    if (!recipeMode && overridden) throw new UsageError(`--seed, --*-fraction, --map and --name change a recipe; --${mode} takes the sets as they are`)
    if (mode === 'list' && (values.save || values.export)) throw new UsageError('--list only lists; --load ID --export FILE exports a saved one')
    if (mode === 'load' && values.save) throw new UsageError('a loaded composition is saved already')

    const { library, compositions } = services()
    try {
      if (mode === 'list') {
        const list = await compositions.list()
        io.stdout(values.json ? `${JSON.stringify(list, null, 2)}\n` : formatCompositionList(list))
        return 0
      }
      const datasets = await library.listDatasets()
      const labels = Object.fromEntries(datasets.map((d) => [d.id, Object.keys(d.classCounts)]))
      let built: BuiltComposition
      const notes: CompositionNotes = { labels }
      if (mode === 'import') {
        const text = await readText(values.import!)
        built = await compositions.importJson(text)
        notes.origin = `rebuilt from ${values.import}`
        notes.extra = [countCheck(text, built.composition.counts)]
      } else if (mode === 'load') {
        const summary = await findComposition(compositions, values.load!)
        built = await compositions.load(summary.id)
        notes.origin = `saved as "${summary.name}", ${summary.id}`
      } else {
        let base: CompositionSpecInput
        if (mode === 'preset') {
          const preset = presetSpec(values.preset!, many(values.role))
          base = preset.spec
          notes.roles = preset.roles as Record<string, string>
        } else if (mode === 'primary') {
          base = customSpec(many(values.primary), many(values.borrow), values.balance)
        } else {
          base = await readRecipe(values.spec!)
        }
        // Compositions to keep apart from, by id, any unique beginning of it, or name, as the lists show them.
        const disjointFrom = await Promise.all(overrides.disjointFrom.map(async (given) => (await findComposition(compositions, given)).id))
        built = await compositions.build(parseCompositionSpec(applyOverrides(base, { ...overrides, disjointFrom }, datasets)))
      }

      const { composition, leakage } = built
      let saved: CompositionSummary | undefined
      let exported: string | undefined
      // A leaking composition is reported, never stored or handed on: a model trained on it would be tested on its own patients.
      if (leakage.ok && values.save) saved = await compositions.save(composition, values.save)
      if (leakage.ok && values.export) {
        await writeFile(values.export, `${JSON.stringify(exportComposition(composition), null, 2)}\n`)
        exported = values.export
      }
      if (values.json) {
        io.stdout(`${JSON.stringify({ composition, tableI: paperTableView(composition.counts), leakage, roles: notes.roles, saved, exported }, null, 2)}\n`)
      } else {
        const extra = [...(notes.extra ?? [])]
        if (saved) extra.push(`saved as "${saved.name}" (id ${saved.id})`)
        if (exported) extra.push(`exported to ${exported} (images by content hash, with their splits)`)
        io.stdout(formatComposition(composition, leakage, { ...notes, extra }))
      }
      if (!leakage.ok && (values.save || values.export)) io.stderr('cxr compose: not saved or exported: the composition leaks\n')
      return leakage.ok ? 0 : 1
    } finally {
      // One command per process: release the database.
      await library.close()
    }
  },
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    throw new Error(`${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message}`)
  }
}

async function readRecipe(path: string): Promise<CompositionSpecInput> {
  const text = await readText(path)
  return parseJsonText(text, path) as CompositionSpecInput
}

/** Whether the rebuild reproduced the exported counts: the first thing to check when moving a composition between workstations. */
function countCheck(exportText: string, counts: CountTable): string {
  const exportedCounts = (JSON.parse(exportText) as { counts?: unknown }).counts
  return JSON.stringify(exportedCounts) === JSON.stringify(counts)
    ? 'counts match the exported counts'
    : 'warning: the rebuilt counts differ from the exported counts'
}
