/**
 * The onednn backend keeps freed memory for reuse (glibc serves big blocks from the heap and does not trim it, so a
 * training step reuses the last one's activations instead of page-faulting fresh ones). That memory stays with the
 * process after the job that freed it has ended; this gives it back, where the policy is in force on this thread.
 */
let release: (() => void) | null = null

/** Set by the onednn backend when it applies the policy. */
export function setFreedMemoryRelease(fn: () => void): void {
  release = fn
}

/** Give every arena's free pages back to the system (after a job's worker has ended); nothing without the policy. */
export function releaseFreedMemory(): void {
  release?.()
}
