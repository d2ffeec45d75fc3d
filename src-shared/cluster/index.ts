/**
 * Runs on a cluster (issue 18): the run bundle (bundle.json, its files by hash, the results a node writes), the
 * Slurm job array script and what Slurm's tools report, and the service the Runs page and the CLI use. Pure
 * TypeScript, shared by the main process, the renderer and the CLI.
 */
export * from './bundle'
export * from './slurm'
export * from './status'
export * from './service'
