import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../../src-main/cli/runCli'

async function cxr(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, env)
  return { code, stdout, stderr }
}

const dataDir = () => mkdtempSync(join(tmpdir(), 'cxr-cli-'))

describe('cxr command line', () => {
  it('--help lists the commands', async () => {
    const { code, stdout } = await cxr(['--help'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/system\s+show the active TensorFlow.js backend/)
    expect(stdout).toMatch(/bench\s+measure speed/)
  })

  it('an unknown command exits 2 with the help', async () => {
    const { code, stderr } = await cxr(['frobnicate'])
    expect(code).toBe(2)
    expect(stderr).toContain("unknown command 'frobnicate'")
  })

  it('a bad option exits 2 naming it', async () => {
    const { code, stderr } = await cxr(['system', '--jsn'])
    expect(code).toBe(2)
    expect(stderr).toContain('--jsn')
  })

  it('system --json prints the engine report: backend, why others were skipped, versions', async () => {
    const folder = dataDir()
    const { code, stdout } = await cxr(['--data-dir', folder, 'system', '--json'], { CXR_BACKEND: 'cpu' })
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    expect(report.engine.active).toBe('cpu')
    expect(report.engine.preferenceSource).toBe('environment')
    expect(report.engine.attempts.map((a: { backend: string }) => a.backend)).toEqual(['tensorflow-gpu', 'tensorflow', 'onednn', 'wasm', 'cpu'])
    expect(report.versions.tfjs).toMatch(/^\d+\.\d+\.\d+/)
    expect(report.dataFolder).toBe(folder)
    expect(report.app.mode).toBe('cli')
  })

  it('bench --json prints figures for a (tiny) ResNet-18', async () => {
    const { code, stdout } = await cxr(
      ['--data-dir', dataDir(), 'bench', '--suite', 'engine', '--no-peer', '--json', '--size', '32', '--batch', '2', '--runs', '1', '--warmup', '0'],
      { CXR_BACKEND: 'cpu' },
    )
    expect(code).toBe(0)
    const result = JSON.parse(stdout)
    expect(result.backend).toBe('cpu')
    const names = result.figures.map((f: { name: string }) => f.name)
    expect(names).toEqual(['resnet18 first prediction after load', 'first ÷ steady prediction', 'resnet18 forward', 'resnet18 train step'])
    for (const figure of result.figures) expect(figure.value).toBeGreaterThan(0)
  })

  it('bench rejects nonsense sizes', async () => {
    const { code, stderr } = await cxr(['--data-dir', dataDir(), 'bench', '--batch', '0'], { CXR_BACKEND: 'cpu' })
    expect(code).toBe(2)
    expect(stderr).toContain('--batch must be an integer')
  })
})
