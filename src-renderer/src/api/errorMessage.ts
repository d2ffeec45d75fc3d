import { sentence } from '@shared/ipc/plainErrors'

/**
 * The words a page shows for a failure. Calls to the app already fail with plain messages (IpcCallError, see
 * plainErrors.ts); what is left are the page's own surprises, said without a stack or a schema dump.
 */
export function messageOf(reason: unknown): string {
  if (reason instanceof Error) {
    // An answer that does not fit the contract: the page and the app are different versions.
    if (reason.name === 'ZodError') return 'The app answered in a form this page does not understand (it was probably updated). Reload the page.'
    return sentence(reason.message)
  }
  return sentence(String(reason))
}
