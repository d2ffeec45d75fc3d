import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { connectBridge, grantFolderOverBridge, type TestBridgeClient } from '../helpers/bridgeClient'
import { hasSharedData, missingDataReason, sharedPath } from '../helpers/sharedData'
import { skipWithReason } from '../helpers/skip'
import { chromiumMissingReason, projectRoot, screenshotFolder, useBrowserModeApp, type BrowserModeApp } from './support/browserMode'

const noChromium = chromiumMissingReason()
const shippedModel = join(projectRoot, 'resources', 'models', 'lung-unet')
const noModel = existsSync(join(shippedModel, 'model.json')) ? undefined : `no shipped lung model in ${shippedModel} (built by 'cxr train-lungs')`

async function call<T>(client: TestBridgeClient, channel: string, payload: unknown): Promise<T> {
  const outcome = await client.call(channel, payload)
  if (!outcome.ok) throw new Error(`${channel}: ${outcome.error.message}`)
  return outcome.result as T
}

/** Imports lungmask-radiologist (98 real radiographs with hand-drawn masks) through the library API. */
async function importRadiologistMasks(app: BrowserModeApp): Promise<void> {
  const folder = sharedPath('lungmask-radiologist')
  const client = await connectBridge(`ws://127.0.0.1:${app.port}/bridge?token=${app.token}`)
  try {
    await grantFolderOverBridge(client, folder)
    const { jobId } = await call<{ jobId: string }>(client, 'library.startImport', {
      spec: {
        kind: 'csv',
        dataset: { id: 'radiologist', name: 'lungmask-radiologist' },
        csvPath: join(folder, 'INDEX.csv'),
        imageFolder: join(folder, 'images'),
        fileColumn: 'image',
        label: { kind: 'fixed', value: 'unlabelled' },
        patient: { kind: 'per-image' },
        masks: { kind: 'index-csv', csvPath: join(folder, 'INDEX.csv'), imageColumn: 'image', maskColumn: 'mask', maskFolder: join(folder, 'masks') },
      },
    })
    await expect.poll(async () => (await call<{ status: string }>(client, 'library.getImportJob', { jobId })).status, { timeout: 120_000 }).toBe('completed')
  } finally {
    client.close()
  }
}

describe('Lung masks of a dataset in browser mode (Chromium)', () => {
  const started = useBrowserModeApp()

  it('segments a real dataset with the shipped model, ranks the masks for review, and keeps a flag', async (context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    if (noModel) return skipWithReason(context, noModel)
    if (!hasSharedData('lungmask-radiologist')) return skipWithReason(context, missingDataReason('lungmask-radiologist'))
    const app = started.app()
    await importRadiologistMasks(app)
    const page = await started.browser().newPage({ viewport: { width: 1400, height: 1000 } })
    await page.goto(app.url)
    await page.getByTestId('nav-datasets').click()
    await page.getByTestId('dataset-radiologist').click()
    // The list arrives after the page draws: wait for it rather than read the first paint.
    await expect.poll(() => page.getByTestId('lung-model').inputValue()).toBe(shippedModel)
    await page.getByTestId('segment-dataset').click()
    await expect.poll(() => page.getByTestId('mask-count').textContent(), { timeout: 300_000 }).toMatch(/^98 of 98 images segmented/)
    const first = page.getByTestId('mask-qa').locator('li').first()
    await first.getByTestId('flag-bad').click()
    await first.scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(screenshotFolder, 'lung-masks.png') })
    await page.reload()
    await page.getByTestId('dataset-radiologist').click()
    await expect.poll(() => page.getByTestId('mask-count').textContent()).toContain('1 flagged bad')
    await page.close()
  })
})
