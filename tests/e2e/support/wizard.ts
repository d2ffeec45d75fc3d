import type { Page } from 'playwright-core'
import { expect } from 'vitest'

/**
 * In the import wizard's folder step: waits for the picker's first folder (as a person would), types `folder`,
 * chooses it and allows reading it. `beforeAllow` runs while the grant waits for the explicit "Allow".
 */
export async function pickFolder(page: Page, folder: string, beforeAllow?: () => Promise<void>): Promise<void> {
  await expect.poll(() => page.getByTestId('folder-picker').getAttribute('data-loading'), { timeout: 30_000 }).toBe('false')
  await page.getByTestId('folder-path').fill(folder)
  await page.getByTestId('folder-path').press('Enter')
  await expect.poll(() => page.getByTestId('folder-picker').getAttribute('data-path'), { timeout: 30_000 }).toBe(folder)
  await page.getByTestId('choose-folder').click()
  await page.getByTestId('confirm-grant').waitFor()
  await beforeAllow?.()
  await page.getByTestId('allow-folder').click()
}
