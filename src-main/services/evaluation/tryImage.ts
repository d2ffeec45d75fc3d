/**
 * "Try an image": a radiograph the user opened (in no dataset) through one trained model — the model's own
 * preprocessing and lung model, its COVID+ probability and its Grad-CAM. It is the Grad-CAM tool on the open image,
 * so the probability is the number evaluation would give the same file.
 */
import { rmSync } from 'node:fs'
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { createGreyImage, resize } from '@shared/imaging/preprocess'
import { processAlive } from '../system/processAlive'
import type { OpenImageCache } from '../viewer/openImageCache'
import type { GradCamResult, GradCamTool } from './gradCam'

/** The longest side of the heatmap sent back: enough to overlay a screen-sized view, not 20 MB per model. */
export const TRIED_HEATMAP_MAX_SIDE = 512

/** One model's answer on the tried image. */
export interface TriedImage {
  runId: string
  /** The model's COVID+ probability. */
  probability: number
  /** Share of the saliency inside the lungs; null without a lung model or lungs. */
  insideLungShare: number | null
  shareUnknown: GradCamResult['shareUnknown']
  /** Grad-CAM in [0, 1], at most {@link TRIED_HEATMAP_MAX_SIDE} px on its longer side, same aspect as the image. */
  heatmap: { width: number; height: number; values: Float32Array }
}

/** Dependencies of {@link createTryImageTool}. */
export interface TryImageDeps {
  gradCam: GradCamTool
  openImages: OpenImageCache
  /**
   * Where dropped files are kept while open (the input pipeline reads files; a dropped file exists only as bytes):
   * each process writes in its own subfolder, deleted as images close and at exit, and the subfolders of
   * processes no longer running (a crash may have left files with patient data) are deleted on first use.
   */
  folder: string
}

/** The tool: `tryImage({ imageKey, runId })`, and `close()` to delete what it wrote. */
export interface TryImageTool {
  tryImage(request: { imageKey: string; runId: string }): Promise<TriedImage>
  close(): void
}

interface WrittenFile {
  path: Promise<string>
  users: number
}

/** Creates the tool. */
export function createTryImageTool(deps: TryImageDeps): TryImageTool {
  const own = join(deps.folder, String(process.pid))
  const written = new Map<string, WrittenFile>()
  let sweep: Promise<void> | null = null

  const remove = (key: string) => rm(join(own, key), { recursive: true, force: true })
  deps.openImages.onDidEvict((key) => {
    const file = written.get(key)
    if (!file) return
    // A model may still be reading it: then its last user deletes it.
    if (file.users === 0) {
      written.delete(key)
      void remove(key)
    }
  })

  /** Runs `work` with a path of the open image: its own file, or its bytes written to the private folder. */
  async function withFile<T>(key: string, work: (path: string, name: string) => Promise<T>): Promise<T> {
    const open = deps.openImages.entry(key)
    if (open.source.kind === 'file') return work(open.source.path, open.name)
    const bytes = open.source.bytes
    let file = written.get(key)
    if (!file) {
      sweep ??= removeLeftovers(deps.folder, own)
      await sweep
      file = written.get(key)
    }
    if (!file) {
      // The user's file name, made safe: messages and logs then name the file the user knows.
      const path = join(own, key, basename(open.name).replace(/[^\w.\- ]/g, '_') || 'image')
      file = { path: mkdir(join(own, key), { recursive: true }).then(() => writeFile(path, bytes)).then(() => path), users: 0 }
      written.set(key, file)
    }
    file.users++
    try {
      return await work(await file.path, open.name)
    } finally {
      file.users--
      if (file.users === 0 && !deps.openImages.has(key)) {
        written.delete(key)
        await remove(key)
      }
    }
  }

  return {
    async tryImage({ imageKey, runId }) {
      return withFile(imageKey, async (path, name) => {
        let cam
        try {
          cam = await deps.gradCam.gradCam({ runId, imagePath: path })
        } catch (error) {
          // A private copy's path means nothing to the user: name the file they opened.
          const message = (error as Error).message.split(path).join(name)
          throw Object.assign(new Error(message), { cause: error })
        }
        return { runId, probability: cam.probability, insideLungShare: cam.insideLungShare, shareUnknown: cam.shareUnknown, heatmap: shrinkHeatmap(cam.heatmap, cam.width, cam.height) }
      })
    },
    close() {
      // Synchronous: the app may be quitting and will not wait for a promise.
      written.clear()
      rmSync(own, { recursive: true, force: true })
    },
  }
}

/** Deletes the subfolders of processes that are no longer running (another app or CLI on this data folder keeps its own). */
async function removeLeftovers(folder: string, own: string): Promise<void> {
  const entries = await readdir(folder).catch(() => [] as string[])
  for (const entry of entries) {
    const pid = Number(entry)
    if (join(folder, entry) === own) continue
    if (!Number.isInteger(pid) || !processAlive(pid)) await rm(join(folder, entry), { recursive: true, force: true })
  }
}

/** The heatmap at most {@link TRIED_HEATMAP_MAX_SIDE} px on its longer side, averaged by area (no aliasing). */
export function shrinkHeatmap(values: Float32Array, width: number, height: number): TriedImage['heatmap'] {
  const scale = Math.min(1, TRIED_HEATMAP_MAX_SIDE / Math.max(width, height))
  if (scale === 1) return { width, height, values }
  const target = { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
  const { image } = resize(createGreyImage(width, height, values), { ...target, mode: 'stretch', interpolation: 'area' })
  return { width: target.width, height: target.height, values: Float32Array.from(image.data) }
}
