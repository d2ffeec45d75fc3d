import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { SHARED_DATA } from '../../helpers/sharedData'

/** The project root (two folders above this file's folder). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** A running `npm run web` server, started from the built bundle with its own temporary data folder. */
export interface BrowserModeApp {
  url: string
  port: number
  token: string
  dataFolder: string
  output: () => string
  stop(): Promise<void>
}

/** Starts browser mode as a user would (the built `out/main/web.js`), and waits for the URL it prints. */
export async function startBrowserMode(env: NodeJS.ProcessEnv = {}): Promise<BrowserModeApp> {
  const entry = join(projectRoot, 'out', 'main', 'web.js')
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` (npm test does it) before the end-to-end tests`)
  const dataFolder = mkdtempSync(join(tmpdir(), 'cxr-e2e-'))
  // The picker may browse the temporary folders tests write and the shared data, besides the home folder.
  const roots = ['--folder-root', tmpdir(), ...(existsSync(SHARED_DATA) ? ['--folder-root', SHARED_DATA] : [])]
  const child: ChildProcess = spawn(process.execPath, [entry, '--port', '0', '--data-dir', dataFolder, ...roots], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`browser mode did not print its URL within 60 s:\n${output}`)), 60_000)
    const check = () => {
      const match = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolveUrl(match[1])
      }
    }
    child.stdout!.on('data', check)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`browser mode exited with ${code}:\n${output}`))
    })
  })
  const parsed = new URL(url)
  return {
    url,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token')!,
    dataFolder,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dataFolder, { recursive: true, force: true })
    },
  }
}

/** Debian's Chromium, or CXR_CHROMIUM. */
export const chromiumPath = process.env.CXR_CHROMIUM ?? '/usr/bin/chromium'

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumMissingReason(): string | undefined {
  return existsSync(chromiumPath) ? undefined : `${chromiumPath} not found: install Debian's chromium (apt-get install -y chromium) or set CXR_CHROMIUM`
}

/** Launches headless Chromium with the flags this machine class needs (no sandbox as root, no background network). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  })
}

/** Where end-to-end tests save their screenshots (the README's come from here). */
export const screenshotFolder = join(projectRoot, 'test-results', 'screenshots')

/**
 * Starts browser mode and Chromium once for a describe block and stops them after it. Returns getters, since
 * the values exist only once `beforeAll` has run. Without Chromium the block's tests skip (and CI fails instead).
 */
export function useBrowserModeApp(env: NodeJS.ProcessEnv = {}): { app: () => BrowserModeApp; browser: () => Browser } {
  let app: BrowserModeApp | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    const missing = chromiumMissingReason()
    if (missing && process.env.CI) throw new Error(missing)
    if (missing) return
    app = await startBrowserMode(env)
    browser = await launchChromium()
    mkdirSync(screenshotFolder, { recursive: true })
  })
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail' || !app) return
    // A failed test says what the app printed and what each open page showed: the first things to read when a
    // failure does not repeat (CI keeps only the output).
    console.error(`browser-mode output before this failure:\n${app.output().split('\n').slice(-60).join('\n')}`)
    for (const [index, page] of (browser?.contexts().flatMap((c) => c.pages()) ?? []).entries()) {
      // A string, evaluated in the page: this file is type-checked without the DOM's types.
      const text = await page.evaluate<string>('document.body ? document.body.innerText : ""').catch((error: Error) => `(unreadable: ${error.message})`)
      const shot = join(projectRoot, 'test-results', 'failures', `${context.task.name.slice(0, 60).replace(/[^\w-]+/g, '_')}-${index}.png`)
      await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined)
      console.error(`page ${index} at ${page.url()} showed (screenshot ${shot}):\n${text.slice(0, 1500)}`)
    }
  })
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
  })
  return { app: () => app!, browser: () => browser! }
}
