// Finds Electron's binary without triggering its download (requiring 'electron' would try to fetch it).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Returns { path } when the binary is on disk, or { reason } saying why not. */
export function findElectronBinary(root) {
  const packageDir = join(root, 'node_modules', 'electron')
  if (!existsSync(packageDir)) return { reason: 'the electron package is not installed (run npm ci)' }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  const pathFile = join(packageDir, 'path.txt')
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined
  const candidate = override ? join(override, relative ?? 'electron') : relative ? join(packageDir, 'dist', relative) : undefined
  if (candidate && existsSync(candidate)) return { path: candidate }
  return { reason: "Electron's binary was never downloaded (it is fetched from the internet on first use)" }
}
