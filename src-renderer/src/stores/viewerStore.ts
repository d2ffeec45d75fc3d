import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { resolveVoi } from '@shared/imaging/displayLut'
import { histogramEqualize } from '@shared/imaging/preprocess'
import { toPresentationGrey } from '@shared/imaging/presentation'
import { buildPreviewLevel, type PreviewLevel } from '@shared/imaging/previewLevel'
import type { WindowSetting } from '@shared/imaging/types'
import { MAX_VIEWER_FILE_BYTES, type ViewerImage } from '@shared/imaging/viewerImage'
import type { LungModelStatus, ViewerSegmentation } from '@shared/imaging/viewerSegmentation'
import { useApi } from '../api/client'
import { windowPresets } from '../views/viewer/windowPresets'
import { messageOf } from '../api/errorMessage'

/** Where the panes look: the image point at the centre of each pane, and the zoom (screen px per image px). */
export interface Viewport {
  zoom: number
  centerX: number
  centerY: number
}

/** The pixel under the cursor, in image coordinates, with its values. */
export interface HoverReadout {
  x: number
  y: number
  value: number
  equalized: number
}

/** The viewer's state: one image, its derived panes, the window and a viewport all panes share. */
export const useViewerStore = defineStore('viewer', () => {
  // Pixel buffers are large: shallowRef keeps Vue from walking millions of numbers (house rule 9).
  const image = shallowRef<ViewerImage | null>(null)
  const equalized = shallowRef<Float32Array | null>(null)
  const preview = shallowRef<PreviewLevel | null>(null)
  const window = ref<WindowSetting | null>(null)
  const presetId = ref<string>('')
  const viewport = ref<Viewport>({ zoom: 1, centerX: 0, centerY: 0 })
  /** Bumped to ask every pane to fit the image to itself. */
  const fitRequest = ref(0)
  const hover = ref<HoverReadout | null>(null)
  const lungModel = shallowRef<LungModelStatus | null>(null)
  const segmentation = shallowRef<ViewerSegmentation | null>(null)
  /** The paper's masked input: equalized image × blurred lung mask. */
  const masked = shallowRef<Float32Array | null>(null)
  const segmenting = ref(false)
  const segmentationError = ref<string | null>(null)
  const overlay = ref<{ opacity: number; style: 'filled' | 'contour' }>({ opacity: 0.4, style: 'contour' })
  const loading = ref(false)
  const error = ref<string | null>(null)
  const presets = computed(() => (image.value ? windowPresets(image.value) : []))

  async function openFile(file: File): Promise<void> {
    error.value = null
    if (file.size === 0) return fail(`${file.name}: the file is empty`)
    if (file.size > MAX_VIEWER_FILE_BYTES) return fail(`${file.name}: ${(file.size / 2 ** 20).toFixed(0)} MiB is larger than the viewer accepts`)
    loading.value = true
    try {
      const bytes = new Uint8Array(await file.arrayBuffer())
      show(await useApi().api.imaging.openFile({ name: file.name, bytes }))
    } catch (reason) {
      fail(messageOf(reason))
    } finally {
      loading.value = false
    }
  }

  /** Opens an image of the library (its folder was granted when it was imported). */
  async function openPath(path: string): Promise<void> {
    error.value = null
    loading.value = true
    try {
      show(await useApi().api.imaging.openPath({ path }))
    } catch (reason) {
      fail(messageOf(reason))
    } finally {
      loading.value = false
    }
  }

  function show(next: ViewerImage): void {
    image.value = next
    // Equalize the image as it reads (bone bright), at its full bit depth: the paper's first preprocessing step.
    equalized.value = histogramEqualize(toPresentationGrey(next)).data
    preview.value = buildPreviewLevel(next.pixels, next.width, next.height)
    const voi = resolveVoi(next)
    window.value = voi.kind === 'window' ? { center: voi.window.center, width: voi.window.width } : null
    presetId.value = voi.kind === 'window' && voi.fromFile ? 'file-0' : voi.kind === 'window' ? 'full' : ''
    hover.value = null
    segmentation.value = null
    masked.value = null
    segmentationError.value = null
    fitRequest.value++
    void segment()
  }

  /** Segments the lungs of the open image with the installed model; says why not when there is none. */
  async function segment(): Promise<void> {
    const current = image.value
    if (!current) return
    const { api } = useApi()
    lungModel.value ??= await api.lungModels.status({}).catch(() => null)
    if (!lungModel.value?.installed) {
      segmentationError.value = lungModel.value?.reason ?? 'no lung model installed'
      return
    }
    segmenting.value = true
    try {
      const result = await api.lungMasks.forOpenImage({ imageKey: current.imageKey })
      if (image.value !== current) return
      segmentation.value = result
      const eq = equalized.value
      if (eq) {
        const out = new Float32Array(eq.length)
        for (let i = 0; i < eq.length; i++) out[i] = eq[i] * result.blurred[i]
        masked.value = out
      }
    } catch (reason) {
      segmentationError.value = messageOf(reason)
    } finally {
      segmenting.value = false
    }
  }

  function fail(message: string): void {
    error.value = message
  }

  function applyPreset(id: string): void {
    const preset = presets.value.find((p) => p.id === id)
    if (!preset) return
    presetId.value = id
    window.value = { center: preset.window.center, width: preset.window.width }
  }

  /** Drag right = wider window, drag down = higher centre (darker image), scaled to the image's value range. */
  function adjustWindow(dx: number, dy: number): void {
    if (!image.value) return
    const current = window.value ?? { center: 0, width: 1 }
    const { min, max } = image.value.pixelRange
    const step = Math.max(max - min, 1) / 512
    window.value = { center: current.center + dy * step, width: Math.max(1, current.width + dx * step) }
    presetId.value = ''
  }

  function setViewport(next: Viewport): void {
    viewport.value = next
  }

  function hoverAt(x: number, y: number): void {
    const current = image.value
    if (!current || x < 0 || y < 0 || x >= current.width || y >= current.height) {
      hover.value = null
      return
    }
    const index = Math.floor(y) * current.width + Math.floor(x)
    hover.value = { x: Math.floor(x), y: Math.floor(y), value: current.pixels[index], equalized: equalized.value?.[index] ?? Number.NaN }
  }

  return { lungModel, segmentation, masked, segmenting, segmentationError, overlay, segment, image, equalized, preview, window, presetId, presets, viewport, fitRequest, hover, loading, error, openFile, openPath, show, applyPreset, adjustWindow, setViewport, hoverAt }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useViewerStore, import.meta.hot))
