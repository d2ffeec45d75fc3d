/**
 * Why a composition cannot be built. Each code names one mistake a user can fix, so the UI can point at it
 * (the dataset, the label, the field) instead of showing a stack trace.
 */
export const COMPOSITION_ERROR_CODES = [
  'empty-input',
  'invalid-spec',
  'invalid-fraction',
  'unknown-dataset',
  'unmapped-label',
  'single-class',
  'invalid-test-policy',
  'missing-test-images',
  'invalid-export',
] as const

/** One of {@link COMPOSITION_ERROR_CODES}. */
export type CompositionErrorCode = (typeof COMPOSITION_ERROR_CODES)[number]

/** A composition that cannot be built, with a message naming the dataset, label or field at fault. */
export class CompositionError extends Error {
  override readonly name = 'CompositionError'

  /**
   * @param code which rule was broken.
   * @param message plain-language explanation naming what is at fault.
   * @param details the offending values (dataset ids, labels, hashes) for the UI to list.
   */
  constructor(
    readonly code: CompositionErrorCode,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message)
  }
}
