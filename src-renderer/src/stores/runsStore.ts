import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { RunConfigInput } from '@shared/runs/config'
import type { RunProgress, RunRecord } from '@shared/runs/record'
import type { RunEstimate } from '@shared/runs/service'
import type { PreparationMark } from '@shared/runs/timeText'
import { useApi } from '../api/client'
import { useAsyncAction } from '../composables/useAsyncAction'

/** Training runs as the Runs page shows them, kept live by the main process's events. */
export const useRunsStore = defineStore('runs', () => {
  const runs = shallowRef<RunRecord[]>([])
  const selectedId = ref<string | null>(null)
  const progress = shallowRef<Record<string, RunProgress>>({})
  /** Per run, the loss of each step since the page opened: the live curve between epochs. */
  const stepLosses = shallowRef<Record<string, [number, number][]>>({})
  /** Per run, the first preparation count this page saw and when: the main process sends counts, the page times them. */
  const preparing = shallowRef<Record<string, PreparationMark>>({})
  // Runs work in the background: a call is short, so only its error is shown, not a busy state.
  const { error, run } = useAsyncAction()
  const selected = computed(() => runs.value.find((r) => r.id === selectedId.value) ?? null)
  let subscribed = false

  function replace(record: RunRecord): void {
    const others = runs.value.filter((r) => r.id !== record.id)
    runs.value = [record, ...others].sort((a, b) => (b.timings.createdAt ?? '').localeCompare(a.timings.createdAt ?? ''))
  }

  function subscribe(): void {
    if (subscribed) return
    subscribed = true
    const client = useApi()
    client.on('runs.onDidProgress', ({ runId, progress: next }) => {
      progress.value = { ...progress.value, [runId]: next }
      if (next.phase === 'preparing' && !preparing.value[runId]) preparing.value = { ...preparing.value, [runId]: { at: Date.now(), done: next.step } }
      else if (next.phase !== 'preparing' && preparing.value[runId]) {
        const { [runId]: _done, ...others } = preparing.value
        preparing.value = others
      }
      if (next.loss !== null && Number.isFinite(next.loss)) {
        const x = next.epoch + next.step / Math.max(1, next.stepsPerEpoch)
        const points = [...(stepLosses.value[runId] ?? []), [x, next.loss] as [number, number]].slice(-2000)
        stepLosses.value = { ...stepLosses.value, [runId]: points }
      }
    })
    client.on('runs.onDidChange', async ({ runId, kind }) => {
      if (kind === 'deleted') {
        runs.value = runs.value.filter((r) => r.id !== runId)
        return
      }
      try {
        replace(await client.api.runs.get({ runId }))
      } catch {
        // The next list refresh shows it.
      }
    })
  }


  const refresh = () =>
    run(async () => {
      subscribe()
      runs.value = await useApi().api.runs.list({})
      if (!selectedId.value && runs.value.length) selectedId.value = runs.value[0].id
    })

  const start = (config: RunConfigInput, estimatedSeconds?: number) =>
    run(async () => {
      subscribe()
      const { runId } = await useApi().api.runs.start({ config: config as never, ...(estimatedSeconds !== undefined ? { estimatedSeconds } : {}) })
      selectedId.value = runId
      replace(await useApi().api.runs.get({ runId }))
      return runId
    })

  const estimate = (config: RunConfigInput): Promise<RunEstimate | undefined> => run(() => useApi().api.runs.estimate({ config: config as never }))
  const cancel = (runId: string) => run(() => useApi().api.runs.cancel({ runId }))
  const resume = (runId: string) => run(() => useApi().api.runs.resume({ runId }))
  const remove = (runId: string) =>
    run(async () => {
      const removed = runs.value.find((r) => r.id === runId)
      await useApi().api.runs.remove({ runId })
      runs.value = runs.value.filter((r) => r.id !== runId)
      if (selectedId.value === runId) selectedId.value = runs.value[0]?.id ?? null
      if (removed) lastDeleted.value = removed
    })

  /** The run deleted last in this window: Undo brings it back (the app keeps a deleted run for an hour). */
  const lastDeleted = shallowRef<RunRecord | null>(null)
  const undoDelete = () =>
    run(async () => {
      const removed = lastDeleted.value
      if (!removed) return
      await useApi().api.runs.restore({ runId: removed.id })
      lastDeleted.value = null
      runs.value = await useApi().api.runs.list({})
      selectedId.value = removed.id
    })

  return { runs, selectedId, selected, progress, stepLosses, preparing, error, refresh, start, estimate, cancel, resume, remove, lastDeleted, undoDelete }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useRunsStore, import.meta.hot))
