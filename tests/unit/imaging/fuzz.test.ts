import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src-main/cli/runCli'
import { defaultChildEntry, type ChildEntry } from '../../../src-main/cli/fuzz/decodeChild'
import { describeDicom, makeMutation } from '../../../src-main/cli/fuzz/mutations'
import { runFuzz } from '../../../src-main/cli/fuzz/runFuzz'
import { generateFixtureCorpus } from '../../../src-main/services/imaging/fixtures/corpus'

const folder = mkdtempSync(join(tmpdir(), 'cxr-fuzz-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

async function corpus() {
  return (await generateFixtureCorpus()).map(([name, bytes]) => ({ name, bytes, dicom: describeDicom(bytes) }))
}

function fakeChild(script: string): ChildEntry {
  return { file: fileURLToPath(new URL(`./support/${script}`, import.meta.url)), execArgv: [] }
}

describe('cxr fuzz', () => {
  it('40 seeded mutations of every generated encoding: no crash, no hang, no memory overrun', async () => {
    const report = await runFuzz(await corpus(), { count: 40, seed: 20261207, jobs: 1, limits: { timeoutMilliseconds: 10_000, memoryBytes: 1024 * 2 ** 20 }, entry: defaultChildEntry() })
    const { decoded, typedErrors, crashes, hangs, overMemory } = report.counts
    expect(report.failures).toEqual([])
    expect([crashes, hangs, overMemory]).toEqual([0, 0, 0])
    expect(decoded + typedErrors).toBe(40)
    expect(typedErrors).toBeGreaterThan(0) // the damage is real: some of it must be refused
    expect(report.peakRssBytes).toBeGreaterThan(0)
    expect(report.internalErrors).toEqual([])
  })

  it('a mutation is a function of (seed, index) alone, so --only replays it', async () => {
    const inputs = await corpus()
    for (const index of [0, 7, 39]) {
      const first = makeMutation(5, index, inputs)
      const again = makeMutation(5, index, inputs)
      expect([again.source, again.description]).toEqual([first.source, first.description])
      expect(Buffer.compare(again.bytes, first.bytes)).toBe(0)
    }
    expect(makeMutation(6, 7, inputs).description).not.toBe(makeMutation(5, 7, inputs).description)
  })

  it('counts a child that never answers as a hang, one that dies as a crash, one that balloons as over memory', async () => {
    const inputs = (await corpus()).slice(0, 1)
    const limits = { timeoutMilliseconds: 1500, memoryBytes: 256 * 2 ** 20 }
    // Two in a row: the input after a killed child goes to a fresh one, not to the dying one (which would look like a crash).
    const hang = await runFuzz(inputs, { count: 2, seed: 1, jobs: 1, limits, entry: fakeChild('hangingChild.mjs') })
    expect(hang.counts).toMatchObject({ hangs: 2, crashes: 0, decoded: 0 })
    expect(hang.failures.map((f) => [f.index, f.kind])).toEqual([[0, 'hang'], [1, 'hang']])
    const crash = await runFuzz(inputs, { count: 2, seed: 1, jobs: 1, limits, entry: fakeChild('crashingChild.mjs') })
    expect(crash.counts).toMatchObject({ crashes: 2, hangs: 0 })
    expect(crash.failures[0].detail).toMatch(/exited with code 134: simulated abort/)
    const greedy = await runFuzz(inputs, { count: 1, seed: 1, jobs: 1, limits: { ...limits, timeoutMilliseconds: 20_000 }, entry: fakeChild('greedyChild.mjs') })
    expect(greedy.counts).toMatchObject({ overMemory: 1, hangs: 0 })
    expect(greedy.peakRssBytes).toBeGreaterThan(limits.memoryBytes)
  })

  it('the command prints the tally as JSON and exits 0 on clean inputs', async () => {
    for (const [index, [, bytes]] of (await generateFixtureCorpus()).slice(0, 4).entries()) writeFileSync(join(folder, `input-${index}.dcm`), bytes)
    let stdout = ''
    let stderr = ''
    const code = await runCli(['fuzz', '--count', '6', '--seed', '11', '--files', join(folder, '*.dcm'), '--json'], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, {})
    expect(code, stderr).toBe(0)
    const report = JSON.parse(stdout)
    expect(report).toMatchObject({ origin: 'files', seed: 11, mutations: 6, inputs: 4, counts: { crashes: 0, hangs: 0, overMemory: 0 } })
    expect(report.counts.decoded + report.counts.typedErrors).toBe(6)
  })
})
