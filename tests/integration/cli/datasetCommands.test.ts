import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src-main/cli/runCli'
import { hasSharedData, missingDataReason, sharedPath } from '../../helpers/sharedData'

/**
 * The README's dataset commands on the real covid-chestxray snapshot: `cxr import csv` gives the published
 * counts (258 frontal images, 206 COVID+ / 52 COVID−), and the paper's COVID-ChestXRay preset gives Table I's
 * 10 + 5 test images with a passing leakage check, both with the binary `covid` column and with the preset's
 * own `finding` vocabulary.
 */

async function cxr(args: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, {})
  return { code, stdout, stderr }
}

const present = hasSharedData('covid-chestxray/frontal_xray_labels.csv')
const data = mkdtempSync(join(tmpdir(), 'cxr-cli-real-datasets-'))
afterAll(() => rmSync(data, { recursive: true, force: true }))

const importArgs = (id: string, label: string[]) => [
  '--data-dir', data, 'import', 'csv', sharedPath('covid-chestxray'), '--table', 'frontal_xray_labels.csv', '--images', 'images',
  '--file-column', 'filename', ...label, '--patient-column', 'patientid', '--view-column', 'view', '--id', id,
]

it.skipIf(present)('says why the real-data dataset command tests are skipped', () => console.warn(missingDataReason('covid-chestxray')))

describe.skipIf(!present)('cxr import and compose on covid-chestxray', () => {
  it('import csv with the covid column mapped gives 258 images: 206 COVID+, 52 COVID−', async () => {
    const { code, stdout, stderr } = await cxr(importArgs('covid-chestxray', ['--label-column', 'covid', '--map', '1=COVID+', '--map', '0=COVID-', '--json']))
    expect(code, stderr).toBe(0)
    const report = JSON.parse(stdout)
    expect(report.images).toEqual({ planned: 258, imported: 258, unchanged: 0, skipped: 0, failed: 0, pending: 0 })
    expect(report.dataset).toMatchObject({ imageCount: 258, patientCount: 162, classCounts: { 'COVID+': 206, 'COVID-': 52 } })

    const listed = await cxr(['--data-dir', data, 'datasets'])
    expect(listed.stdout).toMatch(/covid-chestxray\s+covid-chestxray\s+csv\s+258\s+162\s+0\s+COVID\+ 206, COVID- 52\s+PA 187/)
  })

  it("the COVID-ChestXRay preset gives Table I's 10 COVID+ / 5 COVID− test set and passes the leakage check", async () => {
    const args = ['--data-dir', data, 'compose', '--preset', 'COVID-ChestXRay', '--role', 'COVID-ChestXRay=covid-chestxray', '--map', 'COVID+=positive', '--map', 'COVID-=negative']
    const text = await cxr(args)
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/\n {2}test\s+10\s+5\s+10\s+5\n/)
    expect(text.stdout).toContain('leakage check passed')

    const { composition, leakage } = JSON.parse((await cxr([...args, '--json'])).stdout)
    expect(leakage.ok).toBe(true)
    expect(composition.counts.rows.find((row: { split: string }) => row.split === 'test').total).toEqual({ positive: 10, negative: 5 })
    // Section III-A: the PA subset only.
    expect(composition.assignments).toHaveLength(187)
  })

  it("with finding as the label the preset's own vocabulary maps every class: no --map needed", async () => {
    const imported = await cxr(importArgs('covid-finding', ['--label-column', 'finding', '--no-thumbnails']))
    expect(imported.code, imported.stderr).toBe(0)
    const { code, stdout } = await cxr(['--data-dir', data, 'compose', '--preset', 'COVID-ChestXRay', '--role', 'COVID-ChestXRay=covid-finding', '--json'])
    expect(code).toBe(0)
    const { composition, leakage } = JSON.parse(stdout)
    expect(leakage.ok).toBe(true)
    expect(composition.counts.rows.find((row: { split: string }) => row.split === 'test').total).toEqual({ positive: 10, negative: 5 })
    expect(composition.counts.total.total.positive + composition.counts.total.total.negative).toBe(187)
  })
})
