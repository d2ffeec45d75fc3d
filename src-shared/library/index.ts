/**
 * The contract of the local dataset library: import specs, job progress and reports, dataset summaries and the
 * service interface, with zod schemas for everything that crosses IPC, plus the pure file-name rules the wizard
 * previews live. No Node, DOM or Electron imports.
 */
export * from './errors'
export * from './importSpecs'
export * from './jobs'
export * from './requests'
export * from './rules'
export * from './summaries'
export type * from './types'
