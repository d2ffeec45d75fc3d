// Starts the job worker from its TypeScript source (tests, and the services run from sources under vitest):
// registers tsx (a devDependency) in the worker thread with the project's tsconfig (for the @shared alias), then
// imports the entry. The built app and the CLI start the bundled out/main/jobWorker.js instead.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register({ tsconfig: workerData.tsconfig })
await import(workerData.entry)
