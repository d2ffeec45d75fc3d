#!/usr/bin/env node
// The `cxr` command: runs the built CLI bundle, building it first on a fresh checkout.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bundle = join(root, 'out', 'main', 'cli.js')
if (!existsSync(bundle)) {
  process.stderr.write('cxr: first run, building the app (npm run build)…\n')
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' })
  if (built.status !== 0) process.exit(built.status ?? 1)
}
await import(pathToFileURL(bundle).href)
