import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { MAX_VIEWER_FILE_BYTES, type ViewerImage } from '@shared/imaging/viewerImage'
import type { LungShareUnknown } from '@shared/evaluation/saliency'
import type { RunRecord } from '@shared/runs/record'
import { formatDuration } from '@shared/studies/estimate'
import { useApi } from '../api/client'
import { messageOf } from '../api/errorMessage'

/** A trained model as the page lists it. */
export interface TriedModel {
  runId: string
  name: string
  architecture: string
  trainedOn: string
  seed: number
}

/** One model's answer on the open image. */
export type ModelAnswer =
  | { state: 'waiting' }
  | { state: 'working' }
  | { state: 'done'; probability: number; insideLungShare: number | null; shareUnknown: LungShareUnknown | null; heatmap: { width: number; height: number; values: Float32Array } }
  | { state: 'failed'; message: string }

/** The threshold every evaluation of the app uses unless told otherwise (the paper's). */
export const DECISION_THRESHOLD = 0.5

/**
 * "Try an image": one radiograph the user opens or drops, asked of every trained model in turn (each answer is a
 * Grad-CAM job of seconds), with progress, a time left from the answers so far, and a stop.
 */
export const useTryImageStore = defineStore('tryImage', () => {
  const image = shallowRef<ViewerImage | null>(null)
  const models = shallowRef<TriedModel[]>([])
  const answers = shallowRef<Record<string, ModelAnswer>>({})
  const selectedRunId = ref<string | null>(null)
  const opening = ref(false)
  const asking = ref(false)
  const error = ref<string | null>(null)
  /** Seconds each finished answer took: the time-left estimate. */
  const durations = ref<number[]>([])
  /** The asking loop that may go on: a new image or a stop starts a new count, and an older loop ends. */
  let loop = 0

  const done = computed(() => models.value.filter((model) => ['done', 'failed'].includes(answers.value[model.runId]?.state ?? '')).length)
  const progressLine = computed(() => {
    if (!asking.value) return null
    const left = models.value.length - done.value
    const mean = durations.value.length ? durations.value.reduce((sum, value) => sum + value, 0) / durations.value.length : null
    const time = mean === null ? 'time left known after the first model' : `about ${formatDuration(mean * left)} left`
    return `Asking model ${Math.min(done.value + 1, models.value.length)} of ${models.value.length} · ${time}`
  })

  async function loadModels(): Promise<void> {
    const { api } = useApi()
    const [runs, compositions] = await Promise.all([api.runs.list({}), api.compositions.list({})])
    const compositionName = (id: string) => compositions.find((composition) => composition.id === id)?.name ?? 'a composition since deleted'
    models.value = runs
      .filter((run: RunRecord) => run.state === 'completed' && run.modelFolder)
      .map((run) => ({ runId: run.id, name: run.config.name, architecture: run.config.architecture, trainedOn: compositionName(run.config.compositionId), seed: run.config.seed }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.seed - b.seed)
  }

  /** Opens a file the user picked or dropped, then asks every model. */
  async function openFile(file: File): Promise<void> {
    error.value = null
    if (file.size === 0) return void (error.value = `${file.name}: the file is empty. Choose another file.`)
    if (file.size > MAX_VIEWER_FILE_BYTES) return void (error.value = `${file.name}: ${(file.size / 2 ** 20).toFixed(0)} MiB is larger than the app accepts for one radiograph.`)
    opening.value = true
    try {
      const bytes = new Uint8Array(await file.arrayBuffer())
      await show(await useApi().api.imaging.openFile({ name: file.name, bytes }))
    } catch (reason) {
      error.value = messageOf(reason)
    } finally {
      opening.value = false
    }
  }

  /** Shows an image already open in the app (e.g. from the viewer) and asks every model. */
  async function show(next: ViewerImage): Promise<void> {
    loop++
    asking.value = false
    image.value = next
    answers.value = {}
    durations.value = []
    error.value = null
    try {
      await loadModels()
    } catch (reason) {
      error.value = messageOf(reason)
      return
    }
    if (image.value !== next) return
    answers.value = Object.fromEntries(models.value.map((model) => [model.runId, { state: 'waiting' }]))
    selectedRunId.value = models.value[0]?.runId ?? null
    await askWaiting()
  }

  /**
   * Asks the models not asked yet, one after another: each answer is a job of its own, so answers arrive as they
   * come and the machine stays usable. A newer loop (a new image, a stop) ends this one.
   */
  async function askWaiting(): Promise<void> {
    const open = image.value
    if (!open) return
    const mine = ++loop
    asking.value = true
    try {
      for (const model of models.value) {
        if (mine !== loop) return
        if (answers.value[model.runId]?.state !== 'waiting') continue
        set(model.runId, { state: 'working' })
        const began = performance.now()
        let answer: ModelAnswer
        try {
          const found = await useApi().api.explain.tryImage({ imageKey: open.imageKey, runId: model.runId })
          answer = { state: 'done', probability: found.probability, insideLungShare: found.insideLungShare, shareUnknown: found.shareUnknown, heatmap: found.heatmap }
        } catch (reason) {
          answer = { state: 'failed', message: messageOf(reason) }
        }
        // An answer about an image no longer shown is dropped; one that arrives after a stop is kept.
        if (image.value !== open) return
        set(model.runId, answer)
        if (answer.state === 'done') durations.value = [...durations.value, (performance.now() - began) / 1000]
      }
    } finally {
      if (mine === loop) asking.value = false
    }
  }

  function set(runId: string, answer: ModelAnswer): void {
    answers.value = { ...answers.value, [runId]: answer }
  }

  /** Stops after the model being asked now; the others stay "not asked" until the user asks them. */
  function stop(): void {
    loop++
    asking.value = false
  }

  return { image, models, answers, selectedRunId, opening, asking, error, done, progressLine, loadModels, openFile, show, stop, askWaiting }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useTryImageStore, import.meta.hot))
