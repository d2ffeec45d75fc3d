import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { hasSharedData, missingDataReason, sharedPath } from '../helpers/sharedData'
import { skipWithReason } from '../helpers/skip'
import { chromiumMissingReason, screenshotFolder, useBrowserModeApp } from './support/browserMode'
import { writeCollection } from './support/collection'
import { pickFolder } from './support/wizard'

const screenshots = screenshotFolder
const noChromium = chromiumMissingReason()

async function chooseFolder(page: Page, folder: string): Promise<void> {
  await page.getByTestId('nav-datasets').click()
  await page.getByTestId('go-import').click()
  // The confirmation step: a grant needs the user's explicit "Allow".
  await pickFolder(page, folder, () => page.getByTestId('folder-picker').screenshot({ path: join(screenshots, 'folder-confirm.png') }).then(() => undefined))
  await page.getByTestId('kind-csv').waitFor()
}

async function importWithCsv(page: Page, datasetId: string, labelColumn: string): Promise<string> {
  await page.getByTestId('label-column').selectOption(labelColumn)
  await page.getByTestId('label-mapping').waitFor()
  await page.getByTestId('dataset-id').fill(datasetId)
  await page.getByTestId('preview-import').click()
  await page.getByTestId('import-preview').waitFor({ timeout: 60_000 })
  const planned = (await page.getByTestId('preview-images').textContent()) ?? ''
  await page.getByTestId('start-import').click()
  await expect.poll(() => page.getByTestId('import-status').textContent().catch(() => ''), { timeout: 120_000 }).toBe('Import completed')
  await page.getByTestId('import-done').click()
  await page.getByTestId(`dataset-${datasetId}`).waitFor()
  return planned
}

describe('Datasets: import wizard and compositions in browser mode (Chromium)', () => {
  const started = useBrowserModeApp()
  const app = () => started.app()
  const browser = () => started.browser()

  it('imports a generated collection through the wizard and composes a patient-disjoint split', async (context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    const folder = await writeCollection()
    const page = await browser().newPage({ viewport: { width: 1400, height: 1000 } })
    await page.goto(app().url)
    await chooseFolder(page, folder)
    // The table's other columns are offered, none ticked: what is not kept cannot leak.
    await page.getByTestId('label-column').selectOption('finding')
    await page.getByTestId('label-mapping').waitFor()
    await expect.poll(() => page.getByTestId('extra-columns').locator('input[type=checkbox]').count()).toBe(2)
    expect(await page.getByTestId('keep-sex').isChecked()).toBe(false)
    expect(await page.getByTestId('keep-notes').isChecked()).toBe(false)
    await page.getByTestId('extra-columns').screenshot({ path: join(screenshots, 'import-extra-columns.png') })
    await page.screenshot({ path: join(screenshots, 'import-layout.png'), fullPage: true })
    expect(await importWithCsv(page, 'generated', 'finding')).toBe('24')
    await expect.poll(() => page.getByTestId('dataset-generated').getByTestId('dataset-images').textContent()).toBe('24')
    await expect.poll(() => page.getByTestId('dataset-generated').getByTestId('dataset-patients').textContent()).toBe('12')
    await expect.poll(() => page.getByTestId('thumbnail').count()).toBe(24)

    await page.getByTestId('go-compose').click()
    await page.getByTestId('mode-custom').check()
    await page.locator('select[multiple]').first().selectOption(['generated'])
    await page.getByTestId('map-generated-COVID-19').selectOption('positive')
    await page.getByTestId('map-generated-Normal').selectOption('negative')
    await page.getByTestId('build-composition').click()
    await page.getByTestId('leakage-check').waitFor({ timeout: 30_000 })
    await expect.poll(() => page.getByTestId('leakage-check').getAttribute('data-ok')).toBe('true')
    // 12 patients, 30 % test: 4 patients (8 images), stratified 2 + 2 patients.
    const testRow = page.getByTestId('count-table').first().getByTestId('count-row-test')
    expect(await testRow.locator('td').allTextContents()).toEqual(['4', '4', '4', '4'])
    await page.getByTestId('save-composition').click()
    await expect.poll(() => page.getByTestId('save-composition').textContent()).toBe('Saved')

    // The browser shows the saved composition's splits and filters by them.
    await page.getByTestId('nav-datasets').click()
    await page.getByTestId('browser-composition').selectOption({ index: 1 })
    await page.getByTestId('filter-split').selectOption('test')
    await expect.poll(() => page.getByTestId('thumbnail').count()).toBe(8)
    await expect.poll(() => page.getByTestId('browser-count').textContent()).toContain('8 of 24')
    await page.close()
  })

  it('"Import a dataset…" clicked while the Datasets page is still loading opens the wizard, and stays there', async (context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    const page = await browser().newPage({ viewport: { width: 1400, height: 1000 } })
    // A busy machine: the page's dataset list answers late, and the wizard's code arrives later still.
    let releaseList!: () => void
    const listHeld = new Promise<void>((resolve) => (releaseList = resolve))
    let releaseWizard!: () => void
    const wizardHeld = new Promise<void>((resolve) => (releaseWizard = resolve))
    await page.routeWebSocket(/\/bridge/, (socket) => {
      const server = socket.connectToServer()
      socket.onMessage((message) => {
        if (typeof message === 'string' && message.includes('"library.listDatasets"')) void listHeld.then(() => server.send(message))
        else server.send(message)
      })
    })
    await page.route(/\/assets\/ImportView-[^/]*\.js$/, (route) => void wizardHeld.then(() => route.continue()))
    await page.goto(`${app().url}#/datasets`)
    await page.getByTestId('go-import').click()
    // The list arrives while the wizard is on its way: the page being left selects its first dataset.
    releaseList()
    await page.waitForTimeout(1000)
    releaseWizard()
    await page.getByTestId('folder-picker').waitFor()
    await page.waitForTimeout(500)
    expect(page.url()).toMatch(/#\/datasets\/import$/)
    await expect.poll(() => page.getByTestId('folder-picker').isVisible()).toBe(true)
    await page.close()
  })

  it('a table whose image files are missing is refused, naming the file, and nothing is imported', async (context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    const folder = mkdtempSync(join(tmpdir(), 'cxr-e2e-bad-'))
    writeFileSync(join(folder, 'labels.csv'), 'name,diagnosis\nmissing.png,COVID-19\n')
    const page = await browser().newPage({ viewport: { width: 1400, height: 1000 } })
    await page.goto(app().url)
    await chooseFolder(page, folder)
    await page.getByTestId('file-column').selectOption('name')
    await page.getByTestId('label-column').selectOption('diagnosis')
    await page.getByTestId('label-mapping').waitFor()
    await page.getByTestId('dataset-id').fill('broken')
    await page.getByTestId('preview-import').click()
    await page.getByTestId('import-preview').waitFor({ timeout: 30_000 })
    await page.screenshot({ path: join(screenshots, 'import-refused.png'), fullPage: true })
    await expect.poll(() => page.getByTestId('import-preview').textContent()).toContain('missing.png')
    await expect.poll(() => page.getByTestId('start-import').isDisabled()).toBe(true)
    // Nothing was written: the library still has no dataset called "broken".
    await page.getByTestId('nav-datasets').click()
    await page.getByTestId('go-import').waitFor()
    expect(await page.getByTestId('dataset-broken').count()).toBe(0)
    await page.close()
  })

  it('imports the real covid-chestxray through the wizard, builds the COVID-ChestXRay composition, shows Table I counts and a passing leakage check', async (context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    if (!hasSharedData('covid-chestxray')) return skipWithReason(context, missingDataReason('covid-chestxray'))
    const page = await browser().newPage({ viewport: { width: 1400, height: 1000 } })
    await page.goto(app().url)
    await chooseFolder(page, sharedPath('covid-chestxray'))
    expect(await importWithCsv(page, 'covid-chestxray', 'finding')).toBe('258')
    const card = page.getByTestId('dataset-covid-chestxray')
    await expect.poll(() => card.getByTestId('dataset-images').textContent()).toBe('258')
    await expect.poll(() => card.getByTestId('class-count-COVID-19').textContent()).toContain('194')
    await page.screenshot({ path: join(screenshots, 'datasets.png') })

    await page.getByTestId('go-compose').click()
    await page.getByTestId('mode-preset').check()
    await page.getByTestId('preset').selectOption('COVID-ChestXRay')
    await page.getByTestId('role-COVID-ChestXRay').selectOption('covid-chestxray')
    await page.getByTestId('build-composition').click()
    await page.getByTestId('leakage-check').waitFor({ timeout: 60_000 })
    expect(await page.getByTestId('leakage-check').getAttribute('data-ok')).toBe('true')
    // The paper's COVID-ChestXRay test set: 10 COVID+ and 5 COVID− (Table I).
    const testRow = page.getByTestId('count-table').first().getByTestId('count-row-test')
    expect(await testRow.locator('td').allTextContents()).toEqual(['10', '5', '10', '5'])
    await page.screenshot({ path: join(screenshots, 'composition.png'), fullPage: true })
    await page.close()
  })
})
