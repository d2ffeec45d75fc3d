/** What went wrong in a lung training request, for callers to branch on. */
export type LungTrainingErrorCode = 'no-masks' | 'invalid-settings' | 'unknown-job' | 'unknown-model' | 'not-resumable' | 'closed'

/** A refused lung training or model-choice request; the message names the dataset, job or folder at fault. */
export class LungTrainingError extends Error {
  override readonly name = 'LungTrainingError'

  /**
   * @param code what went wrong.
   * @param message for people, naming what is at fault.
   */
  constructor(
    readonly code: LungTrainingErrorCode,
    message: string,
  ) {
    super(message)
  }
}
