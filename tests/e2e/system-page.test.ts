import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { _electron as electron } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineReport } from '@shared/system/engineTypes'
import { findElectronBinary } from '../../scripts/electronBinary.mjs'
import { connectBridge } from '../helpers/bridgeClient'
import { skipWithReason } from '../helpers/skip'
import { chromiumMissingReason, launchChromium, projectRoot, startBrowserMode, type BrowserModeApp } from './support/browserMode'

const screenshots = join(projectRoot, 'test-results', 'screenshots')
const noChromium = chromiumMissingReason()

describe('System page in browser mode (Chromium)', () => {
  let app: BrowserModeApp
  let engine: EngineReport

  beforeAll(async () => {
    if (noChromium && process.env.CI) throw new Error(noChromium)
    app = await startBrowserMode()
    const client = await connectBridge(`ws://127.0.0.1:${app.port}/bridge?token=${app.token}`)
    const outcome = await client.call('engine.getReport', {})
    client.close()
    if (!outcome.ok) throw new Error(outcome.error.message)
    engine = outcome.result as EngineReport
  })

  afterAll(async () => {
    await app?.stop()
  })

  it('shows the backend the engine reports, and why the others were skipped', async (context) => {
    if (noChromium) skipWithReason(context, noChromium)
    const browser = await launchChromium()
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
      const problems: string[] = []
      page.on('pageerror', (error) => problems.push(error.message))
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text())
      })
      await page.goto(app.url)
      await page.getByTestId('nav-system').click()
      const active = page.getByTestId('active-backend')
      await expect.poll(() => active.textContent(), { timeout: 60_000 }).toBe(engine.active)
      // The token is taken out of the address bar once the page has it.
      expect(page.url()).not.toContain('token=')
      for (const attempt of engine.attempts) {
        await expect.poll(() => page.getByTestId(`attempt-${attempt.backend}`).textContent()).toContain(attempt.reason)
      }
      await expect.poll(() => page.getByTestId('data-folder').textContent()).toBe(app.dataFolder)
      // Which decoders read JPEG 2000 and 12-bit JPEG, and why not the native ones when they do not run.
      const codecs = page.locator('dt', { hasText: 'DICOM codecs' }).locator('xpath=following-sibling::dd[1]')
      await expect.poll(() => codecs.textContent()).toMatch(/^(native: OpenJPEG \d+\.\d+\.\d+ \(\d+ threads?\), .+|wasm and TypeScript \(.+\))$/)
      mkdirSync(screenshots, { recursive: true })
      await page.screenshot({ path: join(screenshots, 'system-browser.png'), fullPage: true })
      expect(problems).toEqual([])
    } finally {
      await browser.close()
    }
  })

  it('this machine without native TensorFlow runs on wasm, with the project kernels', () => {
    // On a workstation where tfjs-node installed, the ladder picks it instead; this test states what happens here.
    if (engine.active !== 'wasm') return
    expect(engine.attempts.find((a) => a.backend === 'tensorflow')?.status).toBe('failed')
    expect(engine.projectKernels).toContain('Conv2DBackpropFilter')
  })

  it('a page opened without the token cannot reach the services', async (context) => {
    if (noChromium) skipWithReason(context, noChromium)
    const browser = await launchChromium()
    try {
      const page = await browser.newPage()
      await page.goto(`http://127.0.0.1:${app.port}/#/system`)
      await expect.poll(() => page.getByTestId('connection-error').textContent(), { timeout: 30_000 }).toContain('npm run web')
      expect(await page.getByTestId('active-backend').count()).toBe(0)
    } finally {
      await browser.close()
    }
  })
})

describe('System page in Electron', () => {
  const binary = findElectronBinary(projectRoot)

  it('shows the backend the engine reports', async (context) => {
    if (!binary.path) return skipWithReason(context, `no Electron binary on this machine: ${binary.reason}`)
    const application = await electron.launch({ executablePath: binary.path, args: [projectRoot], cwd: projectRoot })
    try {
      const window = await application.firstWindow()
      await window.getByTestId('nav-system').click()
      const shown = await window.getByTestId('active-backend').textContent({ timeout: 60_000 })
      const reported = await window.evaluate(async () => {
        const bridge = (window as unknown as { cxr: { invoke(c: string, p: unknown): Promise<{ ok: boolean; result: { active: string } }> } }).cxr
        return (await bridge.invoke('engine.getReport', {})).result.active
      })
      expect(shown).toBe(reported)
    } finally {
      await application.close()
    }
  })
})
