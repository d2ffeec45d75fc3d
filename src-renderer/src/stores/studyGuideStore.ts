import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { useApi } from '../api/client'
import { messageOf } from '../api/errorMessage'
import { studySteps, type StudyState } from '../views/start/studySteps'

const EMPTY: StudyState = { datasets: [], compositions: [], segmented: {}, lungModelName: null, runs: [], evaluations: [] }

/**
 * The first-study path: where the library stands on each of the five steps (import, segment, compose, train,
 * results), kept fresh by the services' events so every page can say what is done and what is next.
 */
export const useStudyGuideStore = defineStore('studyGuide', () => {
  const state = shallowRef<StudyState>(EMPTY)
  const loaded = ref(false)
  const error = ref<string | null>(null)
  const steps = computed(() => studySteps(state.value))
  let subscribed = false
  let pending: ReturnType<typeof setTimeout> | undefined

  let latest = 0
  async function refresh(): Promise<void> {
    subscribe()
    // Refreshes overlap (events, a page opened): only the newest may set the state, or an older answer, read before
    // the last mask or evaluation was stored, would stay on screen.
    const request = ++latest
    try {
      const { api } = useApi()
      const [datasets, compositions, runs, evaluations, models] = await Promise.all([
        api.library.listDatasets({}),
        api.compositions.list({}),
        api.runs.list({}),
        api.evaluation.list({}),
        api.lungModels.models({}).catch(() => []),
      ])
      const active = models.find((model) => model.active) ?? null
      const segmented: Record<string, number> = {}
      // Masks are counted for the lung model the app uses now: those are the ones a new run masks with.
      await Promise.all(
        datasets.map(async (dataset) => {
          const byModel = await api.lungMasks.lungMaskModels({ datasetId: dataset.id }).catch(() => [])
          const current = active ? byModel.find((model) => model.folder === active.folder || model.name === active.name) : byModel[0]
          segmented[dataset.id] = current ? current.maskCount + current.failedCount : 0
        }),
      )
      if (request !== latest) return
      state.value = { datasets, compositions, segmented, lungModelName: active?.name ?? null, runs, evaluations }
      error.value = null
    } catch (reason) {
      if (request === latest) error.value = messageOf(reason)
    } finally {
      loaded.value = true
    }
  }

  /** Many events arrive together (an import's last batch, an epoch): one refresh a moment later covers them. */
  function soon(): void {
    clearTimeout(pending)
    pending = setTimeout(() => void refresh(), 400)
  }

  function subscribe(): void {
    if (subscribed) return
    subscribed = true
    const client = useApi()
    client.on('library.onDidImportProgress', (progress) => {
      if (progress.status !== 'running' && progress.status !== 'queued') soon()
    })
    client.on('lungMasks.onDidProgress', (progress) => {
      if (progress.status !== 'running' && progress.status !== 'queued') soon()
    })
    client.on('runs.onDidChange', ({ kind }) => {
      if (kind !== 'epoch') soon()
    })
    client.on('evaluation.onDidStore', soon)
  }

  return { state, loaded, error, steps, refresh }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useStudyGuideStore, import.meta.hot))
