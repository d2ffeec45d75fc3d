import { acceptHMRUpdate, defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { MaskFlag, MaskQaRow, SegmentationProgress } from '@shared/lung/qaSchemas'
import { useApi } from '../api/client'
import { messageOf } from '../api/errorMessage'

/** Lung masks of the selected dataset: the segmentation job and the QA list. */
export const useLungMasksStore = defineStore('lungMasks', () => {
  const datasetId = ref<string | null>(null)
  const modelId = ref<string | null>(null)
  const rows = shallowRef<MaskQaRow[]>([])
  const progress = shallowRef<SegmentationProgress | null>(null)
  const error = ref<string | null>(null)
  let subscribed = false

  function subscribe(): void {
    if (subscribed) return
    subscribed = true
    useApi().on('lungMasks.onDidProgress', (update) => {
      if (update.datasetId !== datasetId.value) return
      progress.value = update
      if (update.status !== 'running' && update.status !== 'queued') void load(update.datasetId)
    })
  }

  async function load(id: string): Promise<void> {
    subscribe()
    datasetId.value = id
    error.value = null
    try {
      const list = await useApi().api.lungMasks.listMaskQa({ datasetId: id, sort: 'unusual' })
      if (datasetId.value !== id) return
      modelId.value = list.modelId
      rows.value = list.rows
    } catch (reason) {
      error.value = messageOf(reason)
    }
  }

  async function segment(): Promise<void> {
    if (!datasetId.value) return
    subscribe()
    error.value = null
    try {
      const { jobId, modelId: id } = await useApi().api.lungMasks.segmentDataset({ datasetId: datasetId.value })
      progress.value = { jobId, datasetId: datasetId.value, modelId: id, status: 'queued', done: 0, total: 0, failed: 0, cached: 0, ratePerSecond: 0, etaSeconds: null }
    } catch (reason) {
      error.value = messageOf(reason)
    }
  }

  async function cancel(): Promise<void> {
    if (progress.value) await useApi().api.lungMasks.cancel({ jobId: progress.value.jobId }).catch((reason: unknown) => (error.value = messageOf(reason)))
  }

  async function flag(row: MaskQaRow, next: MaskFlag): Promise<void> {
    if (!datasetId.value) return
    try {
      await useApi().api.lungMasks.setMaskFlag({ datasetId: datasetId.value, imageId: row.imageId, modelId: row.modelId, flag: next })
      rows.value = rows.value.map((r) => (r.imageId === row.imageId ? { ...r, flag: next } : r))
    } catch (reason) {
      error.value = messageOf(reason)
    }
  }

  return { datasetId, modelId, rows, progress, error, load, segment, cancel, flag }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useLungMasksStore, import.meta.hot))
