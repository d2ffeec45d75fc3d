import type { JobExecutor } from '../workers/jobIo'
import { importResults } from './importResults'
import type { BundleExportJob, ClusterJobEvent, ImportedRun, ResultsImportJob, ResultsImportOutcome } from './protocol'
import { writeBundle, type WrittenBundle } from './writeBundle'

/**
 * Writes a bundle: prepares the inputs not cached yet (the lung model of `full` preprocessing runs here, in the
 * worker), copies and hashes every file. Needs the engine for the lung model and to record the backend the
 * workstation trains on (a node with the same one repeats the runs bit for bit).
 */
export const bundleExportExecutor: JobExecutor<BundleExportJob, ClusterJobEvent, WrittenBundle> = {
  label: 'bundle export',
  needsEngine: true,
  run: (job, context) => writeBundle(job, context),
}

/** Checks a bundle's finished runs against their hashes and copies them into the data folder. */
export const resultsImportExecutor: JobExecutor<ResultsImportJob, ClusterJobEvent, ResultsImportOutcome & { present: ImportedRun[] }> = {
  label: 'results import',
  needsEngine: false,
  run: (job, context) => importResults(job, context),
}
