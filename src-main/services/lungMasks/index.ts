/**
 * Lung masks over whole datasets (main process): the segmentation job, the mask QA list with reviewers' flags,
 * and the model version id masks are cached under. Scoring is pure and lives in `@shared/segmentation/qa`.
 */
export { createLungMaskJobs } from './lungMaskJobs'
export type { LungMaskJobs, LungMaskJobsDeps, MaskOverlay } from './lungMaskJobs'
export { lungModelIdentity } from './modelId'
export type { LungModelIdentity } from './modelId'
