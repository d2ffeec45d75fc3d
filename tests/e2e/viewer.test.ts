import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { writeDicom } from '../../src-main/services/imaging/fixtures/writeDicom'
import { existsSync } from 'node:fs'
import { hasSharedData, missingDataReason, sharedPath } from '../helpers/sharedData'
import { skipWithReason } from '../helpers/skip'
import { chromiumMissingReason, projectRoot, screenshotFolder, startBrowserMode, useBrowserModeApp, type BrowserModeApp } from './support/browserMode'

const screenshots = screenshotFolder
const noChromium = chromiumMissingReason()

/** Statistics of a pane's canvas pixels: a drawn radiograph has many grey levels. */
async function paneStatistics(page: Page, pane: string): Promise<{ distinct: number; mean: number }> {
  return page.getByTestId(`pane-${pane}`).evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d')!
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height)
    const levels = new Set<number>()
    let sum = 0
    for (let i = 0; i < data.length; i += 4) {
      levels.add(data[i])
      sum += data[i]
    }
    return { distinct: levels.size, mean: sum / (data.length / 4) }
  })
}

async function openInViewer(page: Page, app: BrowserModeApp, file: string): Promise<void> {
  await page.goto(app.url)
  await page.getByTestId('nav-viewer').click()
  await page.getByTestId('file-input').setInputFiles(file)
  await page.getByTestId('image-size').waitFor({ timeout: 60_000 })
  // Panes paint on the next animation frame after the image arrives.
  await expect.poll(async () => (await paneStatistics(page, 'original')).distinct, { timeout: 10_000 }).toBeGreaterThan(16)
}

describe('Viewer in browser mode (Chromium)', () => {
  const started = useBrowserModeApp()
  const app = () => started.app()
  const browser = () => started.browser()

  it('opens a DICOM the project writes itself (MONOCHROME1, 12-bit, with a window) and draws it', async (context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    const size = 256
    const pixels = Array.from({ length: size * size }, (_, i) => ((i % size) * 16 + Math.floor(i / size) * 3) % 4096)
    const folder = mkdtempSync(join(tmpdir(), 'cxr-viewer-'))
    const file = join(folder, 'generated-mono1.dcm')
    writeFileSync(file, writeDicom({ rows: size, columns: size, pixels, bitsAllocated: 16, bitsStored: 12, photometric: 'MONOCHROME1', windows: [{ center: 2048, width: 4096 }] }))
    const page = await browser().newPage({ viewport: { width: 1400, height: 900 } })
    await openInViewer(page, app(), file)
    await expect.poll(() => page.getByTestId('image-size').textContent()).toBe('256 × 256')
    await expect.poll(() => page.getByTestId('image-photometric').textContent()).toBe('MONOCHROME1')
    await expect.poll(() => page.getByTestId('image-bits').textContent()).toContain('12 stored')
    expect((await paneStatistics(page, 'equalized')).distinct).toBeGreaterThan(16)
    await expect.poll(() => page.getByTestId('pane-masked').count()).toBe(1)
    await page.close()
  })

  it('window/level by right-drag changes the original pane and the readout, not the equalized pane', async (context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    const size = 128
    const pixels = Array.from({ length: size * size }, (_, i) => (i % size) * 8)
    const folder = mkdtempSync(join(tmpdir(), 'cxr-viewer-'))
    const file = join(folder, 'ramp.dcm')
    writeFileSync(file, writeDicom({ rows: size, columns: size, pixels, bitsAllocated: 16, bitsStored: 10, photometric: 'MONOCHROME2' }))
    const page = await browser().newPage({ viewport: { width: 1400, height: 900 } })
    await openInViewer(page, app(), file)
    // Let the lung mask settle first (a summary, or the reason there is none): its bar changes the panes' layout.
    await page.locator('[data-testid=mask-summary], [data-testid=mask-error]').first().waitFor({ timeout: 120_000 })
    await page.waitForTimeout(300)
    const before = await page.getByTestId('window-readout').textContent()
    const meanBefore = (await paneStatistics(page, 'original')).mean
    const equalizedBefore = (await paneStatistics(page, 'equalized')).mean
    const box = (await page.getByTestId('pane-original').boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await page.mouse.down({ button: 'right' })
    await page.mouse.move(box.x + box.width / 2 - 120, box.y + box.height / 2 + 80, { steps: 6 })
    await page.mouse.up({ button: 'right' })
    await expect.poll(() => page.getByTestId('window-readout').textContent()).not.toBe(before)
    await expect.poll(async () => (await paneStatistics(page, 'original')).mean).not.toBeCloseTo(meanBefore, 0)
    expect((await paneStatistics(page, 'equalized')).mean).toBeCloseTo(equalizedBefore, 5)
    await page.close()
  })

  it('a file that is not an image gets a clear message naming it, and the app keeps running', async (context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    const folder = mkdtempSync(join(tmpdir(), 'cxr-viewer-'))
    const file = join(folder, 'notes.txt')
    writeFileSync(file, 'this is not a radiograph\n'.repeat(20))
    const page = await browser().newPage()
    await page.goto(app().url)
    await page.getByTestId('nav-viewer').click()
    await page.getByTestId('file-input').setInputFiles(file)
    await expect.poll(() => page.getByTestId('viewer-error').textContent(), { timeout: 30_000 }).toContain('notes.txt')
    await page.getByTestId('nav-system').click()
    await page.getByTestId('active-backend').waitFor()
    await page.close()
  })

  it.for([
    ['RG3_J2KR.dcm', 'JPEG 2000 leg radiograph (MONOCHROME1)', 'viewer-j2k-leg.png', 'JPEG 2000 Lossless'],
    ['rsna_c64d5667-a776-4f95-9e21-bfabafb07740.dcm', 'RSNA chest (JPEG baseline)', 'viewer-rsna-chest.png', 'JPEG Baseline'],
  ])('opens the real %s (%s) and draws it', async ([fileName, , shot, syntax], context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    if (!hasSharedData('dicom')) return skipWithReason(context, missingDataReason('dicom'))
    const page = await browser().newPage({ viewport: { width: 1400, height: 900 } })
    await openInViewer(page, app(), sharedPath('dicom', fileName))
    await expect.poll(() => page.getByTestId('image-syntax').textContent()).toContain(syntax)
    expect((await paneStatistics(page, 'equalized')).distinct).toBeGreaterThan(16)
    const box = (await page.getByTestId('pane-original').boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await expect.poll(() => page.getByTestId('pixel-readout').textContent()).toMatch(/value -?\d/)
    await page.screenshot({ path: join(screenshots, shot) })
    await page.close()
  })

  it('segments the lungs of a real chest radiograph with the shipped model and shows the masked and overlay panes', async (context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    if (!hasSharedData('dicom')) return skipWithReason(context, missingDataReason('dicom'))
    const modelFolder = join(projectRoot, 'resources', 'models', 'lung-unet')
    if (!existsSync(join(modelFolder, 'model.json'))) return skipWithReason(context, `no shipped lung model in ${modelFolder} (built by 'cxr train-lungs')`)
    const page = await browser().newPage({ viewport: { width: 1400, height: 1000 } })
    await openInViewer(page, app(), sharedPath('dicom', 'rsna_c64d5667-a776-4f95-9e21-bfabafb07740.dcm'))
    await page.getByTestId('mask-summary').waitFor({ timeout: 120_000 })
    await expect.poll(() => page.getByTestId('mask-summary').textContent()).toMatch(/2 part\(s\)/)
    await expect.poll(async () => (await paneStatistics(page, 'masked')).distinct).toBeGreaterThan(16)
    // Outside the lungs the masked image is black: its mean is well below the equalized image's.
    expect((await paneStatistics(page, 'masked')).mean).toBeLessThan((await paneStatistics(page, 'equalized')).mean)
    await page.getByTestId('mask-style').selectOption('filled')
    await page.screenshot({ path: join(screenshots, 'viewer-lung-mask.png') })
    await page.close()
  })

  it('without a lung model the masked pane says why, and the rest of the viewer works', async (context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    const other = await startBrowserMode({ CXR_LUNG_MODEL_DIR: join(tmpdir(), 'no-such-lung-model') })
    try {
      const folder = mkdtempSync(join(tmpdir(), 'cxr-viewer-'))
      const file = join(folder, 'plain.dcm')
      writeFileSync(file, writeDicom({ rows: 64, columns: 64, pixels: Array.from({ length: 4096 }, (_, i) => i % 4096), bitsAllocated: 16, bitsStored: 12, photometric: 'MONOCHROME2' }))
      const page = await browser().newPage({ viewport: { width: 1400, height: 1000 } })
      await openInViewer(page, other, file)
      await expect.poll(() => page.getByTestId('mask-error').textContent()).toContain('no lung model')
      await page.close()
    } finally {
      await other.stop()
    }
  })
})
