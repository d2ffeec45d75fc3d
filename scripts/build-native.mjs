// Builds the optional oneDNN addon (native/onednn) that backs the `onednn` TensorFlow.js backend.
//
// Runs after every `npm install` / `npm ci`, and by hand with `npm run build:native`. It never fails the install:
// where the oneDNN headers (Debian/Ubuntu: `apt-get install libdnnl-dev`), a C++ compiler or node-gyp are missing,
// it says why in one line and the app runs on the next backend down (wasm). `--strict` makes a failure an error.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const addonFolder = join(root, 'native', 'onednn')
const addonFile = join(addonFolder, 'build', 'Release', 'cxr_onednn.node')
const strict = process.argv.includes('--strict')

function skip(reason) {
  console.log(`oneDNN addon not built: ${reason}. The app will use the wasm backend (slower training).`)
  process.exit(strict ? 1 : 0)
}

if (process.env.CXR_SKIP_NATIVE === '1') skip('CXR_SKIP_NATIVE=1')
if (process.platform !== 'linux') skip(`building it on ${process.platform} is not supported yet`)

const includeDir = process.env.DNNL_INCLUDE_DIR || ['/usr/include', '/usr/local/include'].find((dir) => existsSync(join(dir, 'oneapi', 'dnnl', 'dnnl.hpp')))
if (!includeDir || !existsSync(join(includeDir, 'oneapi', 'dnnl', 'dnnl.hpp'))) {
  skip('the oneDNN headers are missing (apt-get install libdnnl-dev, or set DNNL_INCLUDE_DIR)')
}

function findNodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp
  try {
    return createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js')
  } catch {
    // Not a project dependency: use the copy npm ships with.
  }
  const bundled = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
  return existsSync(bundled) ? bundled : undefined
}

const nodeGyp = findNodeGyp()
if (!nodeGyp) skip('node-gyp was not found')

// Node's own headers: offline machines cannot download them, so point node-gyp at the installed ones.
const args = [nodeGyp, 'rebuild']
const prefix = join(dirname(process.execPath), '..')
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`)

console.log('Building the oneDNN addon (native/onednn)…')
const began = Date.now()
const build = spawnSync(process.execPath, args, {
  cwd: addonFolder,
  env: { ...process.env, DNNL_INCLUDE_DIR: includeDir },
  encoding: 'utf8',
  timeout: 10 * 60_000,
})
if (build.status !== 0) {
  const log = `${build.stdout ?? ''}\n${build.stderr ?? ''}`.split('\n').filter((line) => /error|not found|No such/i.test(line))
  skip(`the build failed (${(log.slice(0, 3).join(' | ') || build.error?.message || `exit ${build.status}`).slice(0, 400)})`)
}

// Loading it in a fresh process proves the runtime library (libdnnl.so) resolves, not just the headers.
try {
  const info = execFileSync(process.execPath, ['-e', `console.log(JSON.stringify(require(${JSON.stringify(addonFile)}).info()))`], {
    encoding: 'utf8',
  })
  const { onednn, threads } = JSON.parse(info)
  console.log(`oneDNN addon built in ${((Date.now() - began) / 1000).toFixed(0)} s: oneDNN ${onednn}, ${threads} threads.`)
} catch (error) {
  skip(`it built but does not load (${String(error.stderr || error.message).split('\n')[0]})`)
}
