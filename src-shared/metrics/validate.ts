/**
 * Input validation shared by every metric entry point.
 *
 * Bad input (a label of 2, a NaN score, mismatched lengths) is a programming
 * or data-pipeline error, so it throws — unlike an undefined metric, which is
 * a legitimate property of the data and yields `NaN` with a reason.
 * Error messages name the field and index so the offending row can be found.
 */

/**
 * Check that `labels` are all 0 or 1, `scores` are all finite, and that
 * `labels`, `scores` and (when given) `patients` have equal lengths.
 * @throws RangeError naming the first offending field and index.
 */
export function validateBinaryInput(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  patients?: ArrayLike<string>,
): void {
  if (labels == null || typeof labels.length !== 'number') {
    throw new TypeError('labels must be an array-like of 0/1 numbers')
  }
  if (scores == null || typeof scores.length !== 'number') {
    throw new TypeError('scores must be an array-like of finite numbers')
  }
  if (labels.length !== scores.length) {
    throw new RangeError(
      `labels and scores must have the same length (labels: ${labels.length}, scores: ${scores.length})`,
    )
  }
  if (patients !== undefined) {
    if (patients === null || typeof patients.length !== 'number') {
      throw new TypeError('patients must be an array-like of strings')
    }
    if (patients.length !== labels.length) {
      throw new RangeError(
        `patients and labels must have the same length (patients: ${patients.length}, labels: ${labels.length})`,
      )
    }
  }
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index]
    if (label !== 0 && label !== 1) {
      throw new RangeError(`labels[${index}] must be 0 or 1, got ${String(label)}`)
    }
    const score = scores[index]
    if (typeof score !== 'number' || !Number.isFinite(score)) {
      throw new RangeError(`scores[${index}] must be a finite number, got ${String(score)}`)
    }
    if (patients !== undefined && typeof patients[index] !== 'string') {
      throw new TypeError(`patients[${index}] must be a string, got ${String(patients[index])}`)
    }
  }
}

/**
 * Check that a classification threshold is a number and not `NaN`.
 * ±Infinity is allowed: it means "call everything negative/positive".
 * @throws RangeError when the threshold is `NaN` or not a number.
 */
export function validateThreshold(threshold: number): void {
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new RangeError(`threshold must be a number, got ${String(threshold)}`)
  }
}

/**
 * Run `action`, prefixing the message of any error it throws with `context` (e.g. "model B: scores[3] must be a
 * finite number"), so that a message about one of several inputs says which. A TypeError stays a TypeError; any other
 * error becomes a RangeError.
 */
export function withContext<T>(context: string, action: () => T): T {
  try {
    return action()
  } catch (error) {
    const message = `${context}: ${error instanceof Error ? error.message : String(error)}`
    throw error instanceof TypeError ? new TypeError(message) : new RangeError(message)
  }
}
