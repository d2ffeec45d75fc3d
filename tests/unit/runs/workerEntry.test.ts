import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultWorkerEntry } from '../../../src-main/services/workers/host'

const root = mkdtempSync(join(tmpdir(), 'cxr-worker-entry-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('defaultWorkerEntry', () => {
  it('finds out/main/jobWorker.js from the main bundle or from a shared chunk', () => {
    mkdirSync(join(root, 'chunks'))
    writeFileSync(join(root, 'jobWorker.js'), '')
    expect(defaultWorkerEntry(pathToFileURL(join(root, 'index.js')).href).file).toBe(join(root, 'jobWorker.js'))
    expect(defaultWorkerEntry(pathToFileURL(join(root, 'chunks', 'createServices-abc.js')).href).file).toBe(join(root, 'jobWorker.js'))
  })

  it('says to build when the bundle is missing', () => {
    expect(() => defaultWorkerEntry(pathToFileURL(join(tmpdir(), 'nowhere', 'x.js')).href)).toThrow(/npm run build/)
  })
})
