/**
 * "Try an image": a radiograph opened in the app (dropped as bytes, or a file of a chosen folder) through a tiny
 * trained run. The answer must be the Grad-CAM tool's answer on the same file, the dropped bytes must live only as
 * long as the image is open, and messages must name the file the user opened.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initWasmBackend } from '../../../src-main/services/engine/wasm'
import { createGradCamTool, type GradCamTool } from '../../../src-main/services/evaluation/gradCam'
import { createTryImageTool, shrinkHeatmap, TRIED_HEATMAP_MAX_SIDE } from '../../../src-main/services/evaluation/tryImage'
import { decodeImageFile } from '../../../src-main/services/imaging/index'
import { createRunsService, type RunsServiceImpl } from '../../../src-main/services/runs'
import { createOpenImageCache } from '../../../src-main/services/viewer/openImageCache'
import { createJobLauncher } from '../../../src-main/services/workers/launcher'
import { fakeLibrary, tinyRunConfig, writeFixtureImages, type FixtureImage } from '../runs/support/fixtures'

let root: string
let images: FixtureImage[]
let runs: RunsServiceImpl
let runId: string
let gradCam: GradCamTool

beforeAll(async () => {
  await initWasmBackend()
  root = mkdtempSync(join(tmpdir(), 'cxr-try-'))
  images = await writeFixtureImages(join(root, 'images'), 16)
  runs = createRunsService({ dataFolder: join(root, 'data'), library: fakeLibrary(images), execution: { kind: 'in-process' } })
  runId = (await runs.start(tinyRunConfig({ epochs: 1 }))).runId
  expect((await runs.waitForRun({ runId })).failureReason).toBeNull()
  gradCam = createGradCamTool({
    dataFolder: join(root, 'data'),
    runs,
    jobs: createJobLauncher({ kind: 'in-process', lungMaskers: { for: () => { throw new Error('no lung model here') }, dispose: () => undefined } }),
  })
}, 60_000)
afterAll(async () => {
  await runs?.close()
  rmSync(root, { recursive: true, force: true })
})

describe('tryImage', () => {
  it("answers as Grad-CAM does on the same file, whether the image was dropped or opened from a folder, and keeps a dropped file only while it is open", async () => {
    const folder = join(root, 'tried')
    const openImages = createOpenImageCache(2)
    const tool = createTryImageTool({ gradCam, openImages, folder })
    const file = images[0].path
    const expected = await gradCam.gradCam({ runId, imagePath: file })

    const dropped = openImages.put(await decodeImageFile(file), 'chest 01.png', { kind: 'upload', bytes: readFileSync(file) })
    const fromDrop = await tool.tryImage({ imageKey: dropped, runId })
    expect(fromDrop.runId).toBe(runId)
    expect(fromDrop.probability).toBe(expected.probability)
    expect(fromDrop.insideLungShare).toBeNull()
    expect(fromDrop.shareUnknown).toBe('no-lung-model')
    expect(fromDrop.heatmap).toEqual({ width: 40, height: 40, values: expected.heatmap })
    const own = join(folder, String(process.pid))
    expect(readdirSync(join(own, dropped))).toEqual(['chest 01.png'])

    const opened = openImages.put(await decodeImageFile(file), 'image-0.png', { kind: 'file', path: file })
    expect((await tool.tryImage({ imageKey: opened, runId })).probability).toBe(expected.probability)
    expect(readdirSync(own)).toEqual([dropped]) // a file from a chosen folder is read where it is

    // Two more images push the dropped one out of the app: its copy goes with it.
    openImages.put(await decodeImageFile(file), 'b.png', { kind: 'file', path: file })
    openImages.put(await decodeImageFile(file), 'c.png', { kind: 'file', path: file })
    await expect.poll(() => existsSync(join(own, dropped))).toBe(false)
    await expect(tool.tryImage({ imageKey: dropped, runId })).rejects.toThrow('no longer open in the app: open it again')
    tool.close()
    expect(existsSync(own)).toBe(false)
  })

  it("deletes copies left by processes that are gone, keeps those of running ones, and names the user's file in errors", async () => {
    const folder = join(root, 'tried-left')
    const gone = join(folder, '4194999') // above Linux's largest pid: no such process
    const running = join(folder, String(process.ppid))
    for (const leftover of [gone, running]) mkdirSync(join(leftover, 'key'), { recursive: true })
    const openImages = createOpenImageCache()
    const failing: GradCamTool = { gradCam: async ({ imagePath }) => { throw new Error(`could not read ${imagePath}: the file is damaged`) } }
    const tool = createTryImageTool({ gradCam: failing, openImages, folder })
    const key = openImages.put(await decodeImageFile(images[1].path), 'Mr Smith chest.png', { kind: 'upload', bytes: readFileSync(images[1].path) })
    const error = await tool.tryImage({ imageKey: key, runId }).catch((reason: Error) => reason)
    expect((error as Error).message).toBe('could not read Mr Smith chest.png: the file is damaged')
    expect(existsSync(gone)).toBe(false)
    expect(existsSync(running)).toBe(true)
    tool.close()
  })

  it('shrinks a large heatmap by area to at most 512 px, keeping its aspect and its mean', () => {
    const width = 1024
    const height = 768
    const values = new Float32Array(width * height).map((_, i) => ((i % width) < width / 2 ? 1 : 0))
    const small = shrinkHeatmap(values, width, height)
    expect([small.width, small.height]).toEqual([TRIED_HEATMAP_MAX_SIDE, 384])
    const mean = small.values.reduce((sum, value) => sum + value, 0) / small.values.length
    expect(mean).toBeCloseTo(0.5, 6)
    expect(small.values[0]).toBe(1)
    expect(small.values[small.width - 1]).toBe(0)
    const tiny = new Float32Array([0.25, 0.5])
    expect(shrinkHeatmap(tiny, 2, 1).values).toBe(tiny)
  })
})
