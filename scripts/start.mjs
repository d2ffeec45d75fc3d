// `npm start`: builds and launches the desktop app, or says how to use browser mode where Electron cannot run.
import { spawn, spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findElectronBinary } from './electronBinary.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const electron = findElectronBinary(root)
if (!electron.path) {
  console.error(`Cannot start the desktop app: ${electron.reason}. Use browser mode instead: npm run web`)
  process.exit(1)
}
const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
if (build.status !== 0) process.exit(build.status ?? 1)
const app = spawn(electron.path, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' })
app.on('exit', (code) => process.exit(code ?? 0))
