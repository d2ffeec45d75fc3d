/**
 * A study end to end in Chromium against browser mode: two compositions (one a test-only external set) put in the
 * library through the API, a tiny grid (Conv8, two preprocessing choices, two seeds) launched from the Runs page's
 * study launcher with its estimate, followed as one item until it completes, opened as its table on the Results page
 * with its comparisons and alarms, and exported as a self-contained HTML report.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { skipWithReason } from '../helpers/skip'
import { chromiumMissingReason, screenshotFolder, useBrowserModeApp } from './support/browserMode'
import { prepareComposition, studiesAsStored } from './support/library'

const noChromium = chromiumMissingReason()

describe('Studies in browser mode (Chromium)', () => {
  const started = useBrowserModeApp()

  it('launches a tiny study, follows it as one item, and opens it as its table with comparisons, alarms and a report', async (context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    const app = started.app()
    await prepareComposition(app)
    await prepareComposition(app, { datasetId: 'elsewhere', name: 'hospital B (external)', variant: 1, spec: { testFraction: 1 } })
    const page = await started.browser().newPage({ viewport: { width: 1500, height: 1100 } })
    await page.goto(app.url)
    await page.getByTestId('nav-runs').click()
    await page.getByTestId('new-study').click()
    // The preset is offered first; this study is a grid of our own.
    await expect.poll(() => page.getByTestId('preset-study-form').isVisible()).toBe(true)
    await page.getByTestId('study-mode-custom').check()
    await page.getByTestId('study-name').fill('tiny e2e study')
    await page.getByTestId('study-architecture-resnet18').uncheck()
    await page.getByTestId('study-architecture-conv8').check()
    await page.getByTestId('study-preprocessing-full').uncheck()
    await page.getByTestId('study-preprocessing-equalize').check()
    await page.getByTestId('study-preprocessing-raw').check()
    await page.getByTestId('study-composition-tiny split').check()
    await expect.poll(() => page.getByTestId('study-test-hospital B (external)').isChecked()).toBe(true)
    await page.getByTestId('study-seeds').fill('2')
    await page.getByTestId('study-epochs').fill('2')
    await page.getByTestId('study-batch').fill('4')
    await page.getByTestId('study-size-px').fill('16')
    await page.getByTestId('study-width').fill('2')
    await page.getByTestId('estimate-study').click()
    await expect.poll(() => page.getByTestId('study-estimate').textContent().catch(() => ''), { timeout: 120_000 }).toMatch(/About .+ on (onednn|wasm|cpu|tensorflow)/)
    await page.screenshot({ path: join(screenshotFolder, 'study-launcher.png'), fullPage: true })
    await page.getByTestId('start-study').click()

    // One item with its progress, its four runs inside it, until it completes.
    const item = page.locator('[data-testid^="study-study-"]').first()
    await item.waitFor({ timeout: 60_000 })
    await expect.poll(() => item.getByTestId('study-progress').textContent(), { timeout: 60_000 }).toMatch(/of 4 runs, \d+ of 8 evaluations/)
    // Within the test's time: if it does not complete, the study's own record (state, log, problems) says where it stopped.
    await expect.poll(() => item.getByTestId('study-state').textContent(), { timeout: 200_000 }).toBe('completed').catch(async (error: unknown) => {
      console.error(`the study did not complete; as the app has it:\n${await studiesAsStored(app)}`)
      throw error
    })
    await expect.poll(() => item.getByTestId('study-progress').textContent()).toMatch(/4 of 4 runs, 8 of 8 evaluations/)
    await expect.poll(() => item.locator('[data-testid^="study-run-"]').count()).toBe(4)
    // The study's runs are not listed again among single runs.
    expect(await page.getByTestId('run-list').locator('li').count()).toBe(0)
    await page.screenshot({ path: join(screenshotFolder, 'study-runs.png') })

    await item.getByTestId('open-study').click()
    const table = page.getByTestId('study-table')
    await table.waitFor({ timeout: 120_000 })
    expect(await table.locator('th.recipe').allTextContents()).toEqual(['Conv8, equalized only, no pre-training, trained on tiny split', 'Conv8, raw pixels, no pre-training, trained on tiny split'])
    expect(await table.locator('thead th').allTextContents()).toEqual(['Recipe (trained on)', 'tested on tiny splitits test split', 'tested on hospital B (external)external test set'])
    for (const cell of await table.locator('td.value').all()) expect(await cell.textContent()).toContain('2 of 2 seeds')
    await expect.poll(() => page.getByTestId('study-cell-0-0').textContent()).toMatch(/\d\.\d\d( ± \d\.\d\d)?/)
    // Equalized vs raw on each test set, for AUC and balanced accuracy: Holm-corrected verdicts in words.
    const comparisons = page.getByTestId('comparison')
    expect(await comparisons.count()).toBe(4)
    await expect.poll(() => comparisons.first().textContent()).toMatch(/(No evidence of a difference|better than|identically|same call|cannot be compared)/)
    await page.getByTestId('study-metric').selectOption('auc')
    await page.getByTestId('study-alarms').waitFor()
    await page.screenshot({ path: join(screenshotFolder, 'study-results.png'), fullPage: true })

    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId('study-report').click()])
    const html = readFileSync((await download.path())!, 'utf8')
    expect(html).toContain('<h2>Study: tiny e2e study</h2>')
    expect(html).toContain('<h2>Alarms</h2>')
    expect(html).toContain('hospital B (external)')
    expect(html).not.toMatch(/<script|https?:\/\//)

    // Deleted by a slip, then undone: the study comes back as it was, its runs never left.
    await page.getByTestId('nav-runs').click()
    await item.getByTestId('study-delete').click()
    await expect.poll(() => item.getByTestId('study-confirm').textContent()).toContain('Delete the study “tiny e2e study”? Its runs and evaluations stay. You can undo it for an hour.')
    await item.getByTestId('study-confirm-delete').click()
    await expect.poll(() => page.getByTestId('study-deleted').textContent()).toContain('Deleted the study “tiny e2e study”; its runs stay.')
    await expect.poll(() => page.locator('[data-testid^="study-study-"]').count()).toBe(0)
    expect(await page.getByTestId('run-list').locator('li').count()).toBe(4)
    await page.getByTestId('undo-study-delete').click()
    await expect.poll(() => item.getByTestId('study-state').textContent().catch(() => '')).toBe('completed')
    await expect.poll(() => item.getByTestId('study-progress').textContent()).toMatch(/4 of 4 runs, 8 of 8 evaluations/)
    expect(await page.getByTestId('run-list').locator('li').count()).toBe(0)
    await page.close()
  })
})
