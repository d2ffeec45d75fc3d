import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { projectRoot } from '../e2e/support/browserMode'

/** Every source file under a folder. */
function sources(folder: string): string[] {
  const root = join(projectRoot, folder)
  const files: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (/\.(ts|vue|mts)$/.test(name) && !name.endsWith('.d.ts')) files.push(path)
    }
  }
  walk(root)
  return files
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3],
  )
}

function violations(folder: string, forbidden: RegExp): string[] {
  return sources(folder).flatMap((file) =>
    imports(file)
      .filter((specifier) => forbidden.test(specifier))
      .map((specifier) => `${relative(projectRoot, file)} imports ${specifier}`),
  )
}

const NODE_BUILTINS = /^(node:|fs$|path$|os$|child_process$|crypto$|http$|net$|worker_threads$|zlib$|url$|module$)/

describe('runtime boundaries (house rule 1)', () => {
  it('src-shared is pure TypeScript: no Node, Electron or main-process imports', () => {
    expect(violations('src-shared', new RegExp(`${NODE_BUILTINS.source}|^electron$|src-main|src-renderer|^@tensorflow/`))).toEqual([])
  })

  it('the renderer sees only the DOM and window.cxr: no Node, Electron or main-process imports', () => {
    expect(violations('src-renderer/src', new RegExp(`${NODE_BUILTINS.source}|^electron$|src-main|^@tensorflow/`))).toEqual([])
  })

  it('services are plain Node modules: no electron import, so tests and the CLI run them directly', () => {
    expect(violations('src-main/services', /^electron$/)).toEqual([])
    expect(violations('src-main/bridge', /^electron$/)).toEqual([])
    expect(violations('src-main/cli', /^electron$/)).toEqual([])
  })
})
