// Builds the optional native addons:
// - native/onednn: the oneDNN addon behind the `onednn` TensorFlow.js backend (Debian/Ubuntu: libdnnl-dev);
// - native/codecs: native DICOM decoders, JPEG 2000 through libopenjp2 and 12-bit JPEG Extended through GDCM's
//   12-bit IJG library (Debian/Ubuntu: libopenjp2-7-dev libgdcm-dev).
//
// Runs after every `npm install` / `npm ci`, and by hand with `npm run build:native`. It never fails the install:
// where an addon's headers, a C++ compiler or node-gyp are missing, it says why in one line and the app uses the
// slower path for that addon (wasm). Each addon is built or skipped on its own. `--strict` makes a skip an error.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const strict = process.argv.includes('--strict')

/** Where a header lives: an environment override, else the first standard folder that has it. */
function findInclude(variable, candidates, header) {
  const folder = process.env[variable] || candidates.find((dir) => existsSync(join(dir, header)))
  return folder && existsSync(join(folder, header)) ? folder : undefined
}

const ADDONS = [
  {
    name: 'oneDNN addon',
    folder: 'onednn',
    binary: 'cxr_onednn.node',
    fallback: 'The app will use the wasm backend (slower training).',
    headers() {
      const dir = findInclude('DNNL_INCLUDE_DIR', ['/usr/include', '/usr/local/include'], join('oneapi', 'dnnl', 'dnnl.hpp'))
      if (!dir) return { missing: 'the oneDNN headers are missing (apt-get install libdnnl-dev, or set DNNL_INCLUDE_DIR)' }
      return { env: { DNNL_INCLUDE_DIR: dir } }
    },
    describe: ({ onednn, threads }) => `oneDNN ${onednn}, ${threads} threads`,
  },
  {
    name: 'codec addon',
    folder: 'codecs',
    binary: 'cxr_codecs.node',
    fallback: 'DICOM decoding will use the wasm and TypeScript decoders (slower JPEG 2000 and 12-bit JPEG).',
    headers() {
      const openjpeg = findInclude('OPENJPEG_INCLUDE_DIR', ['/usr/include/openjpeg-2.5', '/usr/local/include/openjpeg-2.5'], 'openjpeg.h')
      const jpeg12 = findInclude('GDCM_JPEG12_INCLUDE_DIR', ['/usr/include/gdcm-3.0/gdcmjpeg/12', '/usr/local/include/gdcm-3.0/gdcmjpeg/12'], 'jpeglib.h')
      if (!openjpeg || !jpeg12) {
        const which = [!openjpeg && 'OpenJPEG (libopenjp2-7-dev)', !jpeg12 && "GDCM's 12-bit JPEG (libgdcm-dev)"].filter(Boolean).join(' and ')
        return { missing: `the headers of ${which} are missing (apt-get install libopenjp2-7-dev libgdcm-dev)` }
      }
      return { env: { OPENJPEG_INCLUDE_DIR: openjpeg, GDCM_JPEG12_INCLUDE_DIR: jpeg12 } }
    },
    describe: ({ openjpeg, openjpegThreads, jpeg12 }) => `OpenJPEG ${openjpeg}${openjpegThreads ? ' (threaded)' : ''}, ${jpeg12}`,
  },
]

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

/** Build one addon; returns the reason it was skipped, or undefined when it built and loads. */
function build(addon, nodeGyp) {
  const headers = addon.headers()
  if (headers.missing) return headers.missing
  // Node's own headers: offline machines cannot download them, so point node-gyp at the installed ones.
  const args = [nodeGyp, 'rebuild']
  const prefix = join(dirname(process.execPath), '..')
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`)

  const folder = join(root, 'native', addon.folder)
  console.log(`Building the ${addon.name} (native/${addon.folder})…`)
  const began = Date.now()
  const result = spawnSync(process.execPath, args, { cwd: folder, env: { ...process.env, ...headers.env }, encoding: 'utf8', timeout: 10 * 60_000 })
  if (result.status !== 0) {
    const log = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.split('\n').filter((line) => /error|not found|No such/i.test(line))
    return `the build failed (${(log.slice(0, 3).join(' | ') || result.error?.message || `exit ${result.status}`).slice(0, 400)})`
  }
  // Loading it in a fresh process proves the runtime libraries resolve, not just the headers.
  const file = join(folder, 'build', 'Release', addon.binary)
  try {
    const info = execFileSync(process.execPath, ['-e', `console.log(JSON.stringify(require(${JSON.stringify(file)}).info()))`], { encoding: 'utf8' })
    console.log(`${addon.name} built in ${((Date.now() - began) / 1000).toFixed(0)} s: ${addon.describe(JSON.parse(info))}.`)
    return undefined
  } catch (error) {
    return `it built but does not load (${String(error.stderr || error.message).split('\n')[0]})`
  }
}

let skipped = 0
function skip(addon, reason) {
  skipped++
  console.log(`${addon.name} not built: ${reason}. ${addon.fallback}`)
}

const common =
  process.env.CXR_SKIP_NATIVE === '1'
    ? 'CXR_SKIP_NATIVE=1'
    : process.platform !== 'linux'
      ? `building it on ${process.platform} is not supported yet`
      : undefined
const nodeGyp = common ? undefined : findNodeGyp()
for (const addon of ADDONS) {
  const reason = common ?? (nodeGyp ? build(addon, nodeGyp) : 'node-gyp was not found')
  if (reason) skip(addon, reason)
}
process.exit(strict && skipped > 0 ? 1 : 0)
