// `npm run screenshots`: starts browser mode on a throwaway data folder and saves screenshots of the real UI
// for the README (docs/screenshots/). Needs a build (npm run build) and Debian's chromium.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outDir = join(root, 'docs', 'screenshots')
const dataDir = mkdtempSync(join(tmpdir(), 'cxr-shots-'))
mkdirSync(outDir, { recursive: true })

const server = spawn(process.execPath, [join(root, 'out/main/web.js'), '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] })
const url = await new Promise((resolve, reject) => {
  let text = ''
  server.stdout.on('data', (chunk) => {
    text += chunk
    const match = /Open (\S+)/.exec(text)
    if (match) resolve(match[1])
  })
  server.on('exit', (code) => reject(new Error(`browser mode exited with ${code}`)))
})

const sharedDicom = join(root, '..', 'shared', 'data', 'dicom')
const pages = [
  { hash: '#/system', file: 'system.png', ready: '[data-testid=active-backend]' },
  // The viewer shot needs a real radiograph: taken only where ../shared/data is present.
  { hash: '#/viewer', file: 'viewer.png', ready: '[data-testid=image-size]', open: join(sharedDicom, 'rsna_c64d5667-a776-4f95-9e21-bfabafb07740.dcm') },
].filter((shot) => !shot.open || existsSync(shot.open))
const browser = await chromium.launch({
  executablePath: process.env.CXR_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
})
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  await page.goto(url)
  for (const shot of pages) {
    await page.evaluate((hash) => (location.hash = hash), shot.hash)
    if (shot.open) await page.setInputFiles('[data-testid=file-input]', shot.open)
    await page.waitForSelector(shot.ready, { timeout: 60_000 })
    await page.waitForTimeout(1500)
    if (shot.open) await page.mouse.move(420, 520)
    await page.screenshot({ path: join(outDir, shot.file) })
    console.log(`saved docs/screenshots/${shot.file}`)
  }
} finally {
  await browser.close()
  server.kill('SIGTERM')
  rmSync(dataDir, { recursive: true, force: true })
}
