import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** One axe finding as the failure message prints it: the rule, its impact, and where. */
export interface Finding {
  rule: string
  impact: string
  help: string
  targets: string[]
}

/**
 * Runs axe-core (WCAG 2.1 A and AA rules) on the page as it is now and returns its serious and critical findings.
 * The script is evaluated through the debugging protocol, which the page's Content-Security-Policy does not block.
 */
export async function seriousFindings(page: Page): Promise<Finding[]> {
  await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    return result.violations.map((violation) => ({ rule: violation.id, impact: violation.impact ?? 'unknown', help: violation.help, targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')) }))
  })
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
}

