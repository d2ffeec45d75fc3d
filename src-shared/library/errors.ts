/**
 * Why a library call failed. Each code names one thing a user (or the wizard) can act on, so the UI can point at
 * the field, file or job at fault instead of showing a stack trace.
 */
export const LIBRARY_ERROR_CODES = [
  /** A request or import spec did not pass its schema. */
  'invalid-request',
  /** No dataset, image, composition or job with that id. */
  'not-found',
  /** The import cannot start: its spec has blocking problems (listed in `issues`). */
  'import-blocked',
  /** Another import of the same dataset is running. */
  'busy',
  /** The job is completed or still running, so there is nothing to resume. */
  'not-resumable',
  /** The database was written by a newer version of the app. */
  'database-too-new',
  /** A migration or a write would break the database's rules. */
  'database-error',
] as const

/** One of {@link LIBRARY_ERROR_CODES}. */
export type LibraryErrorCode = (typeof LIBRARY_ERROR_CODES)[number]

/** A problem of one input, as listed in previews, errors and import reports (see `ImportIssue`). */
export interface LibraryErrorIssue {
  code: string
  message: string
  file?: string
  field?: string
  line?: number
}

/** A library failure with a machine-readable code and a message naming what is at fault. */
export class LibraryError extends Error {
  override readonly name = 'LibraryError'

  /**
   * @param code what went wrong, for callers to branch on.
   * @param message plain-language explanation naming the file, field, dataset or job.
   * @param issues every problem found when there are several (e.g. all unmapped labels at once).
   */
  constructor(
    readonly code: LibraryErrorCode,
    message: string,
    readonly issues: readonly LibraryErrorIssue[] = [],
  ) {
    super(message)
  }
}

/** True for errors thrown by the library (works across module copies, unlike instanceof). */
export function isLibraryError(error: unknown): error is LibraryError {
  return error instanceof LibraryError || (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'LibraryError')
}
