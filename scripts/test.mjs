// `npm test`: type-check, build, then every vitest project (unit, integration, end-to-end), ending with one
// summary line that CI and people can read: "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const shell = process.platform === 'win32'
const extra = process.argv.slice(2)

function step(title, command, args) {
  console.log(`\n▶ ${title}: ${command} ${args.join(' ')}`)
  const began = Date.now()
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell })
  console.log(`  ${title} finished in ${((Date.now() - began) / 1000).toFixed(1)} s (exit ${result.status})`)
  return result.status ?? 1
}

let failed = false
failed ||= step('type-check main, shared, tests', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.node.json']) !== 0
failed ||= step('type-check end-to-end tests', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.e2e.json']) !== 0
failed ||= step('type-check renderer', 'npx', ['vue-tsc', '--noEmit', '-p', 'tsconfig.web.json']) !== 0
failed ||= step('build', 'npx', ['electron-vite', 'build']) !== 0

mkdirSync(join(root, 'test-results'), { recursive: true })
const report = join(root, 'test-results', 'vitest.json')
const testsFailed = step('tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra]) !== 0

let summary = { passed: 0, failed: 0, skipped: 0 }
try {
  const json = JSON.parse(readFileSync(report, 'utf8'))
  const skipped = json.testResults.flatMap((file) =>
    file.assertionResults.filter((test) => test.status === 'skipped' || test.status === 'pending').map((test) => `  skipped: ${test.fullName}`),
  )
  if (skipped.length) console.log(`\nSkipped tests (each printed its reason above as SKIPPED: …):\n${skipped.join('\n')}`)
  summary = {
    passed: json.numPassedTests ?? 0,
    failed: json.numFailedTests ?? 0,
    skipped: (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0),
  }
} catch {
  console.error('could not read the vitest JSON report')
  failed = true
}
if (failed) console.error('\nType-check or build failed: see above.')
console.log(`\n${summary.passed} passed, ${summary.failed + (failed ? 1 : 0)} failed, ${summary.skipped} skipped`)
process.exit(failed || testsFailed || summary.passed === 0 ? 1 : 0)
