import { acceptHMRUpdate, defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { CompositionSummary, DatasetSummary, ImageSummary } from '@shared/library/summaries'
import { useApi } from '../api/client'
import { messageOf } from '../api/errorMessage'

/** The library as the Datasets page shows it: datasets, saved compositions, and the images being browsed. */
export const useDatasetsStore = defineStore('datasets', () => {
  const datasets = shallowRef<DatasetSummary[]>([])
  const compositions = shallowRef<CompositionSummary[]>([])
  const selectedId = ref<string | null>(null)
  // Thousands of rows: kept out of deep reactivity.
  const images = shallowRef<ImageSummary[]>([])
  const imagesTotal = ref(0)
  const loading = ref(false)
  const error = ref<string | null>(null)
  const thumbnails = new Map<string, Promise<string>>()

  async function refresh(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      const { api } = useApi()
      ;[datasets.value, compositions.value] = await Promise.all([api.library.listDatasets({}), api.compositions.list({})])
      if (selectedId.value && !datasets.value.some((d) => d.id === selectedId.value)) selectedId.value = null
    } catch (reason) {
      error.value = messageOf(reason)
    } finally {
      loading.value = false
    }
  }

  /** Loads every image summary of a dataset, page by page (5000 a page). */
  async function select(datasetId: string | null, label?: string): Promise<void> {
    selectedId.value = datasetId
    images.value = []
    imagesTotal.value = 0
    if (!datasetId) return
    try {
      const { api } = useApi()
      const all: ImageSummary[] = []
      for (let offset = 0; ; ) {
        const page = await api.library.listImages({ datasetId, offset, limit: 5000, label })
        all.push(...page.images)
        imagesTotal.value = page.total
        offset += page.images.length
        if (page.images.length === 0 || offset >= page.total) break
      }
      if (selectedId.value === datasetId) images.value = all
    } catch (reason) {
      error.value = messageOf(reason)
    }
  }

  /** A blob URL of the image's thumbnail, fetched once per image. */
  function thumbnailUrl(datasetId: string, imageId: string): Promise<string> {
    const key = `${datasetId}/${imageId}`
    let url = thumbnails.get(key)
    if (!url) {
      url = useApi()
        .api.library.thumbnail({ datasetId, imageId })
        .then(({ mime, bytes }) => URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime })))
      url.catch(() => thumbnails.delete(key))
      thumbnails.set(key, url)
    }
    return url
  }

  async function removeDataset(datasetId: string): Promise<void> {
    try {
      await useApi().api.library.deleteDataset({ datasetId })
      await refresh()
    } catch (reason) {
      error.value = messageOf(reason)
    }
  }

  return { datasets, compositions, selectedId, images, imagesTotal, loading, error, refresh, select, thumbnailUrl, removeDataset }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useDatasetsStore, import.meta.hot))
