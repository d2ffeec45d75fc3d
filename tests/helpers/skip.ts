/** Skips the running test and prints why, so a skip is never silent in any reporter. */
export function skipWithReason(context: { skip: (note?: string) => never | void }, reason: string): void {
  console.warn(`SKIPPED: ${reason}`)
  context.skip(reason)
}
