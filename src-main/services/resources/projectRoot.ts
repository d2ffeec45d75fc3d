import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const PACKAGE_NAME = 'cxr-workstation'

/**
 * The project root: the nearest folder above `from` whose package.json is this project's. Walking up from the
 * module's own URL (not the working directory) finds it whether the code runs from src-main under vitest, from
 * the bundled out/main/cli.js, or from inside a packaged app.
 * @throws when no such folder exists above `from`.
 */
export function findProjectRoot(from: string = fileURLToPath(import.meta.url)): string {
  let folder = dirname(from)
  for (;;) {
    const manifest = join(folder, 'package.json')
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return folder
      } catch {
        // An unreadable package.json on the way up is someone else's; keep walking.
      }
    }
    const parent = dirname(folder)
    if (parent === folder) throw new Error(`could not find the ${PACKAGE_NAME} package.json above ${from}`)
    folder = parent
  }
}
