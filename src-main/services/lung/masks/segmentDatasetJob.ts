import type { MaskFailure, SegmentationProgress } from '@shared/lung/qaSchemas'
import { decodeImageFile } from '../../imaging/index'
import { openLibraryDatabase } from '../../library/database'
import type { JobExecutor } from '../../workers/jobIo'
import { loadLungModel, type LungModel } from '../model/lungModel'
import { segmentDatasetImages } from './segmentDatasetImages'

/** A dataset's lung masks by one model, as a job: the worker opens its own connection to the library. */
export interface SegmentDatasetJob {
  dataFolder: string
  progress: SegmentationProgress
  model: { modelId: string; folder: string }
  progressIntervalMs?: number
}

/** What the job reports: its progress, and each image it could not segment. */
export type SegmentDatasetEvent = { type: 'progress'; progress: SegmentationProgress } | { type: 'failure'; failure: MaskFailure }

/** Dataset segmentation in a worker: the U-Net, decoding and PNG writing all off the main thread. */
export const segmentDatasetExecutor: JobExecutor<SegmentDatasetJob, SegmentDatasetEvent, 'completed' | 'cancelled'> = {
  label: 'lung segmentation of the dataset',
  needsEngine: true,
  async run(job, context) {
    const db = openLibraryDatabase(job.dataFolder)
    let loading: Promise<LungModel> | undefined
    try {
      return await segmentDatasetImages({
        db,
        dataFolder: job.dataFolder,
        progress: job.progress,
        modelId: job.model.modelId,
        lung: () => (loading ??= loadLungModel(job.model.folder, job.model.modelId)),
        decode: (path) => decodeImageFile(path),
        shouldStop: () => context.shouldStop(),
        emit: (progress) => context.emit({ type: 'progress', progress: { ...progress } }),
        onFailure: (failure) => context.emit({ type: 'failure', failure }),
        now: () => new Date().toISOString(),
        progressIntervalMs: job.progressIntervalMs,
      })
    } finally {
      void loading?.then((lung) => lung.model.dispose(), () => undefined)
      db.close()
    }
  },
}
