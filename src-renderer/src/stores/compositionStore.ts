import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { z } from 'zod'
import { DATASET_ROLES, PAPER_PRESET_NAMES, PAPER_PRESET_ROLES, paperPresets, type DatasetRole, type PaperPresetName } from '@shared/datasets/presets'
import { TEST_ONLY_FRACTION, type BalanceMode, type CompositionSpecInput, type LabelTarget } from '@shared/datasets/types'
import type { BuiltCompositionSchema } from '@shared/ipc/libraryContract'
import type { DatasetSummary } from '@shared/library/summaries'
import { useApi } from '../api/client'
import { useAsyncAction } from '../composables/useAsyncAction'

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

  /** Fills the label table for the chosen datasets: the preset's vocabulary where it knows a label, blank elsewhere. */
  function syncLabels(datasets: DatasetSummary[]): void {
    const next: Record<string, Record<string, LabelTarget | ''>> = {}
    const presetSpec = mode.value === 'preset' && neededRoles.value.every((role) => roles.value[role]) ? paperPresets[preset.value](roles.value, { seed: seed.value }) : null
    for (const id of datasetIds.value) {
      const dataset = datasets.find((d) => d.id === id)
      if (!dataset) continue
      next[id] = {}
      for (const label of Object.keys(dataset.classCounts)) {
        next[id][label] = labelMapping.value[id]?.[label] || presetSpec?.labelMapping[id]?.[label] || ''
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
    neededRoles, datasetIds, presets: PAPER_PRESET_NAMES, allRoles: DATASET_ROLES, syncLabels, build, save, load, importJson, exportJson,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useCompositionStore, import.meta.hot))
