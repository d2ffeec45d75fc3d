import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy, contentSecurityPolicyForMeta } from '../../../src-main/bridge/contentSecurityPolicy'

const html = readFileSync(new URL('../../../src-renderer/index.html', import.meta.url), 'utf8')

describe('the renderer page carries the CSP itself', () => {
  it('has a meta policy equal to the header policy, less what a meta element cannot carry', () => {
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)
    expect(meta, 'src-renderer/index.html has no CSP meta element').not.toBeNull()
    expect(meta![1]).toBe(contentSecurityPolicyForMeta())
    // Electron's header policy, directive by directive: only frame-ancestors (ignored in meta) is missing.
    const header = contentSecurityPolicy().split('; ')
    expect(header.filter((directive) => !meta![1].split('; ').includes(directive))).toEqual(["frame-ancestors 'none'"])
  })

  it('comes before any script, so it governs them all', () => {
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<script'))
  })
})
