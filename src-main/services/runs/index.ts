/** Training runs: the queue and worker host (main thread), and the training code the worker runs. */
export { createRunsService, type RunsDeps, type RunsServiceImpl, type RunExecution } from './runsService'
export { defaultWorkerEntry, type WorkerEntry } from '../workers/host'
export type { RunLungModels } from './runsService'
export { RunFailure } from './runFailure'
