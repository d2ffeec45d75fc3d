import { JobFailure } from '../workers/jobIo'

/**
 * A failure the user can act on (one-class data, a missing file, a diverged loss): its message becomes the run
 * record's `failureReason` as is, without a stack.
 */
export class RunFailure extends JobFailure {
  override name = 'RunFailure'
}
