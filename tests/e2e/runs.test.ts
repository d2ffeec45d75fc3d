import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { connectBridge } from '../helpers/bridgeClient'
import { skipWithReason } from '../helpers/skip'
import { chromiumMissingReason, screenshotFolder, useBrowserModeApp } from './support/browserMode'
import { callBridge as call, prepareComposition } from './support/library'

const noChromium = chromiumMissingReason()

describe('Runs in browser mode (Chromium)', () => {
  const started = useBrowserModeApp()

  it('launches a tiny run, shows progress and the curve, cancels, resumes and finishes', async (context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    const app = started.app()
    await prepareComposition(app)
    const page = await started.browser().newPage({ viewport: { width: 1400, height: 1000 } })
    await page.goto(app.url)
    await page.getByTestId('nav-runs').click()
    await page.getByTestId('new-run').click()
    await page.getByTestId('run-preset').selectOption('resnet18-none')
    await page.getByTestId('run-composition').selectOption({ label: 'tiny split (24 images)' })
    await page.getByTestId('run-preprocessing').selectOption('equalize')
    await page.getByTestId('run-size').fill('32')
    await page.getByTestId('run-width').fill('4')
    // Long enough that a fast machine cannot finish it before the cancel below (30 epochs took ~3 s on a quiet one).
    await page.getByTestId('run-epochs').fill('100')
    await page.getByTestId('run-batch').fill('4')
    await page.getByTestId('run-name').fill('tiny e2e run')
    await page.getByTestId('estimate-run').click()
    await expect.poll(() => page.getByTestId('run-estimate').textContent(), { timeout: 120_000 }).toMatch(/About (\d+ (s|min)|\d+ h \d+ min) in all on (onednn|wasm|cpu|tensorflow): (up to|at least) \d+ (s|min) preparing \d+ images/)
    await page.getByTestId('start-run').click()

    // Live progress, then the first finished epoch on the curve.
    await expect.poll(() => page.getByTestId('run-progress').textContent().catch(() => ''), { timeout: 120_000 }).toMatch(/^Training epoch \d+ of 100/)
    const points = () => page.getByTestId('run-curves').getAttribute('data-points').then(Number).catch(() => 0)
    await expect.poll(points, { timeout: 120_000 }).toBeGreaterThan(0)
    const first = await points()
    // The curve grows while the run trains: steps stream in, and each finished epoch adds its losses and AUC.
    await expect.poll(points, { timeout: 120_000 }).toBeGreaterThan(first + 2)
    await page.waitForTimeout(1500)
    await page.screenshot({ path: join(screenshotFolder, 'runs.png') })

    await page.getByTestId('cancel-run').click()
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 120_000 }).toBe('cancelled')
    await page.getByTestId('resume-run').click()
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 300_000 }).toBe('completed')
    await expect.poll(() => page.getByTestId('run-best').textContent()).toMatch(/epoch \d+/)
    await page.close()
  })

  it('evaluates the trained model on two test sets: the matrix, a ROC curve, the confusion matrix and the t-SNE plot', async (context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    const app = started.app()
    await prepareComposition(app, { datasetId: 'tiny-other', name: 'other source', variant: 1 })
    const page = await started.browser().newPage({ viewport: { width: 1400, height: 1000 } })
    await page.goto(app.url)
    await page.getByTestId('nav-results').click()
    const matrix = page.getByTestId('results-matrix')
    // The page first shows the matrix with empty cells (the run was never evaluated), then computes them.
    await matrix.waitFor({ timeout: 120_000 })
    await page.getByTestId('evaluate-missing').click()
    // One row (the completed run) and two test sets, each cell filled with its metrics.
    await expect.poll(async () => (await matrix.locator('td.value').allTextContents()).filter((t) => t.trim() !== '—').length, { timeout: 180_000 }).toBeGreaterThanOrEqual(2 * 6)
    expect((await matrix.locator('thead th[colspan]').allTextContents()).sort()).toEqual(['tested on other source', 'tested on tiny split'])
    await matrix.locator('td.value').first().click()
    await expect.poll(() => page.getByTestId('roc-curve').getAttribute('data-points').then(Number)).toBeGreaterThan(2)
    await expect.poll(() => page.getByTestId('confusion-matrix').textContent()).toContain('predicted COVID+')
    await page.getByTestId('gradcam').locator('li button').first().click()
    await expect.poll(() => page.getByTestId('gradcam-summary').textContent().catch(() => ''), { timeout: 120_000 }).toContain('COVID+ probability')
    await matrix.locator('button.link').first().click()
    await expect.poll(() => page.getByTestId('tsne-plot').getAttribute('data-points').then(Number), { timeout: 180_000 }).toBeGreaterThan(4)
    await expect.poll(() => page.getByTestId('separability-knn-loo').textContent()).toMatch(/chance \d+ %/)
    await page.screenshot({ path: join(screenshotFolder, 'results.png'), fullPage: true })

    // One click exports a self-contained HTML report: no scripts, no remote content.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId('export-report').click()])
    const html = readFileSync((await download.path())!, 'utf8')
    expect(html).toContain('tiny e2e run')
    expect(html).toContain('other source')
    expect(html).toContain('<h2>Confusion matrices</h2>')
    expect(html).not.toContain('<h2>Grad-CAM examples</h2>')
    expect(html).not.toMatch(/<script|https?:\/\//)
    await page.close()
  })

  it('the slower report adds the t-SNE map and the Grad-CAM examples, drawn into the file', async (context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    const page = await started.browser().newPage({ viewport: { width: 1400, height: 1000 } })
    await page.goto(started.app().url)
    await page.getByTestId('nav-results').click()
    await page.getByTestId('results-matrix').waitFor({ timeout: 120_000 })
    await page.getByTestId('report-slow-figures').check()
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 240_000 }), page.getByTestId('export-report').click()])
    const html = readFileSync((await download.path())!, 'utf8')
    expect(html).toContain('<h2>Dataset bias (Fig. 3)</h2>')
    expect(html).toContain('<h2>Grad-CAM examples</h2>')
    expect(html).toMatch(/<img src="data:image\/png;base64,[A-Za-z0-9+/]+=*" width="\d+" height="\d+" alt="Grad-CAM heatmap of tiny e2e run over a COVID[+−] radiograph from /)
    expect(html).not.toMatch(/<script|https?:\/\//)
    await page.close()
  })

  it('a run on a composition that no longer exists fails with the reason, and the app carries on', async (context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    const client = await connectBridge(`ws://127.0.0.1:${started.app().port}/bridge?token=${started.app().token}`)
    try {
      const { runId } = await call<{ runId: string }>(client, 'runs.start', { config: { architecture: 'conv8', compositionId: 'no-such-composition', baseWidth: 2, input: { resize: 16, crop: 16 }, epochs: 1 } })
      await expect.poll(async () => (await call<{ state: string }>(client, 'runs.get', { runId })).state, { timeout: 60_000 }).toBe('failed')
      expect((await call<{ failureReason: string }>(client, 'runs.get', { runId })).failureReason).toContain('no-such-composition')
    } finally {
      client.close()
    }
  })
})
