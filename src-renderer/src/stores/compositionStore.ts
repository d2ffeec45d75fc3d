import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { z } from 'zod'
import { DATASET_ROLES, PAPER_PRESET_NAMES, PAPER_PRESET_ROLES, paperPresets, type DatasetRole, type PaperPresetName } from '@shared/datasets/presets'
import { guessLabelTarget } from '@shared/datasets/labelGuess'
import { TEST_ONLY_FRACTION, type BalanceMode, type CompositionSpecInput, type LabelTarget } from '@shared/datasets/types'
import type { BuiltCompositionSchema } from '@shared/ipc/libraryContract'
import type { DatasetSummary } from '@shared/library/summaries'
import { useApi } from '../api/client'
import { useAsyncAction } from '../composables/useAsyncAction'
import { useStudyGuideStore } from './studyGuideStore'

type Built = z.infer<typeof BuiltCompositionSchema>

/** The composition builder: a paper preset with role assignments, or a custom recipe, then the built sets. */
export const useCompositionStore = defineStore('composition', () => {
  const mode = ref<'preset' | 'custom'>('preset')
  const preset = ref<PaperPresetName>('COVID-ChestXRay')
  const roles = ref<Partial<Record<DatasetRole, string>>>({})
  const primary = ref<string[]>([])
  const borrow = ref<string[]>([])
  const balance = ref<BalanceMode>('subsample')
  const seed = ref(0)
  const testFraction = ref(0.3)
  const validationFraction = ref(0.2)
  /** An external test set: every image is test (test share 1), to test models trained on other compositions. */
  const testOnly = ref(false)
  /** Saved compositions whose patients and images this one leaves out (the sets the models it tests trained on). */
  const disjointFrom = ref<string[]>([])
  const name = ref('')
  /** Per dataset: what each of its labels means; '' = not chosen yet. */
  const labelMapping = ref<Record<string, Record<string, LabelTarget | ''>>>({})
  const built = shallowRef<Built | null>(null)
  const savedId = ref<string | null>(null)
  const { busy, error, run } = useAsyncAction()

  const neededRoles = computed(() => (mode.value === 'preset' ? PAPER_PRESET_ROLES[preset.value] : []))
  const datasetIds = computed(() =>
    mode.value === 'preset' ? neededRoles.value.map((role) => roles.value[role]).filter((id): id is string => !!id) : [...new Set([...primary.value, ...borrow.value])],
  )

  /**
   * Fills what the user would have to work out: each role of the preset with the dataset that plainly plays it (its
   * id or name is the role's, or it is the only dataset), and the label table with the preset's vocabulary, then
   * the labels that say what they are (COVID+ → COVID+, normal → COVID−); the rest stays blank for the user.
   */
  function syncLabels(datasets: DatasetSummary[]): void {
    if (mode.value === 'preset') {
      const taken = new Set(Object.values(roles.value))
      for (const role of neededRoles.value) {
        if (roles.value[role]) continue
        const guess = guessRole(role, datasets.filter((dataset) => !taken.has(dataset.id)), neededRoles.value.length)
        if (guess) {
          roles.value = { ...roles.value, [role]: guess }
          taken.add(guess)
        }
      }
    }
    const next: Record<string, Record<string, LabelTarget | ''>> = {}
    const presetSpec = mode.value === 'preset' && neededRoles.value.every((role) => roles.value[role]) ? paperPresets[preset.value](roles.value, { seed: seed.value }) : null
    for (const id of datasetIds.value) {
      const dataset = datasets.find((d) => d.id === id)
      if (!dataset) continue
      next[id] = {}
      for (const label of Object.keys(dataset.classCounts)) {
        next[id][label] = labelMapping.value[id]?.[label] || presetSpec?.labelMapping[id]?.[label] || guessLabelTarget(label)
      }
    }
    labelMapping.value = next
  }

  function spec(): CompositionSpecInput {
    const mapping = Object.fromEntries(
      Object.entries(labelMapping.value).map(([id, labels]) => [id, Object.fromEntries(Object.entries(labels).filter(([, target]) => target !== ''))]),
    ) as Record<string, Record<string, LabelTarget>>
    const apart = disjointFrom.value.length ? { disjointFrom: [...disjointFrom.value] } : {}
    if (mode.value === 'preset') {
      const base = paperPresets[preset.value](roles.value, { seed: seed.value })
      return { ...base, name: name.value.trim() || base.name, labelMapping: mapping, testFraction: testFraction.value, validationFraction: validationFraction.value, ...apart }
    }
    return {
      name: name.value.trim() || (testOnly.value ? 'external test set' : 'custom composition'),
      primary: primary.value,
      borrow: borrow.value,
      // A test-only set has no training side to subsample.
      balance: testOnly.value && balance.value === 'subsample' ? 'none' : balance.value,
      seed: seed.value,
      testFraction: testOnly.value ? TEST_ONLY_FRACTION : testFraction.value,
      validationFraction: validationFraction.value,
      labelMapping: mapping,
      ...apart,
    }
  }


  /**
   * Sets the builder up for an external test set: a dataset no saved composition uses yet (or the last one), every
   * image in test, patients of the training compositions kept out, named after the dataset.
   */
  function prepareExternal(datasets: DatasetSummary[], trainingCompositions: { id: string; datasetIds: string[] }[]): void {
    const used = new Set(trainingCompositions.flatMap((composition) => composition.datasetIds))
    const dataset = datasets.find((candidate) => !used.has(candidate.id)) ?? datasets[datasets.length - 1]
    mode.value = 'custom'
    testOnly.value = true
    balance.value = 'none'
    primary.value = dataset ? [dataset.id] : []
    borrow.value = []
    disjointFrom.value = trainingCompositions.map((composition) => composition.id)
    name.value = dataset ? `${dataset.name} (external test set)` : ''
  }

  const build = () =>
    run(async () => {
      built.value = null
      savedId.value = null
      built.value = await useApi().api.compositions.build({ spec: spec() as never })
    })

  const save = () =>
    run(async () => {
      if (!built.value) return
      savedId.value = (await useApi().api.compositions.save({ composition: built.value.composition, name: name.value.trim() || undefined })).id
      // No event announces a saved composition: the first-study path is told here, so its next step shows at once.
      void useStudyGuideStore().refresh()
    })

  const load = (compositionId: string) =>
    run(async () => {
      built.value = await useApi().api.compositions.load({ compositionId })
      savedId.value = compositionId
      name.value = built.value.composition.spec.name
      seed.value = built.value.composition.seed
    })

  const importJson = (json: string) =>
    run(async () => {
      built.value = await useApi().api.compositions.importJson({ json })
      savedId.value = null
      name.value = built.value.composition.spec.name
    })

  /** The export file's text: image hashes, splits, seed and rules. */
  async function exportJson(): Promise<string | undefined> {
    if (!savedId.value) return undefined
    const data = await useApi().api.compositions.exportJson({ compositionId: savedId.value })
    return JSON.stringify(data, null, 2)
  }

  return {
    mode, preset, roles, primary, borrow, balance, seed, testFraction, validationFraction, testOnly, disjointFrom, name, labelMapping, built, savedId, busy, error,
    neededRoles, datasetIds, presets: PAPER_PRESET_NAMES, allRoles: DATASET_ROLES, syncLabels, prepareExternal, build, save, load, importJson, exportJson,
  }
})

/** Loose names of the paper's datasets: covid-chestxray plays COVID-ChestXRay, kermany plays ChestXRay. */
const ROLE_NAMES: Record<DatasetRole, RegExp> = {
  CORDA: /corda/,
  RSNA: /rsna/,
  ChestXRay: /^(chestxray|kermany)/,
  'COVID-ChestXRay': /covid.?chest.?x.?ray|cohen|ieee8023/,
}

/** The dataset that plainly plays a role: named for it, or the only one offered for a one-role preset. */
function guessRole(role: DatasetRole, datasets: DatasetSummary[], roleCount: number): string | undefined {
  const normal = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '')
  const named = datasets.find((dataset) => ROLE_NAMES[role].test(normal(dataset.id)) || ROLE_NAMES[role].test(normal(dataset.name)))
  if (named) return named.id
  return roleCount === 1 && datasets.length === 1 ? datasets[0].id : undefined
}

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useCompositionStore, import.meta.hot))
