// Starts the run worker from its TypeScript source in tests: registers tsx (a devDependency) in the worker
// thread with the project's tsconfig (for the @shared alias), then imports the entry. The app and the CLI
// start the bundled out/main/runWorker.js instead.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register({ tsconfig: workerData.tsconfig })
await import(workerData.entry)
