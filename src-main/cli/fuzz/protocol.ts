/**
 * Messages between `cxr fuzz` and its decoding child process (fuzzChild.ts).
 */

/** One input to decode. */
export interface ChildTask {
  id: number
  /** Name used in the decoder's messages. */
  name: string
  bytes: Uint8Array
}

/** How one decode ended inside the child. */
export interface ChildReply {
  id: number
  /** An image; an ImagingError (the contract); anything else (a breach of the contract). */
  outcome: 'decoded' | 'typed-error' | 'untyped-error'
  /** ImagingError code, for typed errors. */
  code?: string
  detail: string
  /** Set when a typed error wraps a JavaScript TypeError, RangeError...: a decoder bug dressed as damage. */
  internal?: string
  milliseconds: number
  /** The child's peak resident memory so far (getrusage maxrss). */
  peakRssBytes: number
}
