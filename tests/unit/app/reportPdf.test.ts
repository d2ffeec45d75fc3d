import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createAppServices } from '../../../src-main/app/createServices'

describe('report as PDF', () => {
  it('in browser mode says it needs the desktop app', async () => {
    const app = createAppServices({ dataFolder: mkdtempSync(join(tmpdir(), 'cxr-pdf-')), mode: 'browser', env: { CXR_BACKEND: 'cpu' } })
    await expect(app.handlers.report.pdf({ split: 'test', bias: false, gradCam: false, colorBy: 'auc' })).rejects.toThrow(/needs the desktop app/)
  })

  it('in the desktop app prints the same HTML the HTML export writes', async () => {
    let printed = ''
    const app = createAppServices({
      dataFolder: mkdtempSync(join(tmpdir(), 'cxr-pdf-')),
      mode: 'electron',
      env: { CXR_BACKEND: 'cpu' },
      printToPdf: async (html) => {
        printed = html
        return new Uint8Array([0x25, 0x50, 0x44, 0x46])
      },
    })
    const request = { split: 'test' as const, bias: false, gradCam: false, colorBy: 'auc' as const }
    const { pdf } = await app.handlers.report.pdf(request)
    const { html } = await app.handlers.report.html(request)
    expect(Array.from(pdf)).toEqual([0x25, 0x50, 0x44, 0x46])
    // Same content apart from the time stamp.
    expect(printed.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T')).toBe(html.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T'))
  })
})
