import { describe, expect, it } from 'vitest'
import { skipWithReason } from '../helpers/skip'
import { seriousFindings } from './support/axe'
import { chromiumMissingReason, useBrowserModeApp } from './support/browserMode'
import { prepareComposition } from './support/library'

const noChromium = chromiumMissingReason()
describe('Accessibility of every main page (axe-core, browser mode)', () => {
  const started = useBrowserModeApp()

  it('finds no serious or critical WCAG 2.1 AA problem on any main page, with a dataset and a composition in the library', async (context) => {
    if (noChromium) return skipWithReason(context, noChromium)
    const app = started.app()
    await prepareComposition(app)
    const page = await started.browser().newPage({ viewport: { width: 1400, height: 1000 } })
    const base = app.url.replace(/#.*$/, '')
    // Each page with what it shows first; the import wizard, the compose builder and the run launcher are forms.
    const pages: Array<{ route: string; ready: string }> = [
      { route: '/start', ready: 'study-checklist' },
      { route: '/datasets', ready: 'dataset-tiny' },
      { route: '/datasets/import', ready: 'folder-picker' },
      { route: '/datasets/compose', ready: 'build-composition' },
      { route: '/viewer', ready: 'nav-viewer' },
      { route: '/runs?new=quick', ready: 'run-launcher' },
      { route: '/results', ready: 'results-view' },
      { route: '/try', ready: 'try-empty' },
      { route: '/system', ready: 'nav-system' },
    ]
    const report: string[] = []
    for (const { route, ready } of pages) {
      await page.goto(`${base}#${route}`)
      await page.getByTestId(ready).first().waitFor({ timeout: 60_000 })
      // Let the page's data arrive (lists, counts) so the check sees what a user sees.
      await page.waitForLoadState('networkidle').catch(() => undefined)
      await page.waitForTimeout(800)
      for (const finding of await seriousFindings(page)) report.push(`${route}: [${finding.impact}] ${finding.rule} — ${finding.help} at ${finding.targets.join(', ')}`)
    }
    expect(report).toEqual([])
    await page.close()
  })
})
