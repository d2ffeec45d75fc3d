import { checkLeakage, composeDataset, exportComposition, importComposition, type DisjointCompositions } from '@shared/datasets'
import type { Composition, CompositionSpec } from '@shared/datasets/types'
import type { CompositionExport } from '@shared/datasets/exchange'
import type { LeakageReport } from '@shared/datasets/leakage'
import type { CompositionSummary } from '@shared/library/summaries'
import type { LibraryService } from '@shared/library/types'
import { parseJsonText } from '@shared/files/jsonText'

/** A composition with the leakage check that every composition gets before anyone sees it. */
export interface BuiltComposition {
  composition: Composition
  leakage: LeakageReport
}

/** Builds, stores, exports and imports compositions (the paper's Table I) over the library's images. */
export interface CompositionService {
  build(spec: CompositionSpec): Promise<BuiltComposition>
  save(composition: Composition, name?: string): Promise<CompositionSummary>
  list(): Promise<CompositionSummary[]>
  load(compositionId: string): Promise<BuiltComposition>
  remove(compositionId: string): Promise<void>
  exportJson(compositionId: string): Promise<CompositionExport>
  importJson(json: string): Promise<BuiltComposition>
}

/** Dependencies of the composition service. */
export interface CompositionDeps {
  library: LibraryService
  /**
   * Images a reviewer flagged as having a bad lung mask (keys `datasetId/imageId`): left out of new compositions,
   * since the paper's chain would feed the network a wrongly masked image.
   */
  flaggedImages?: (datasetIds: string[]) => Promise<Set<string>>
}

/** Creates the composition service on top of the library. */
export function createCompositionService(deps: CompositionDeps): CompositionService {
  const { library } = deps
  const datasetsOf = (spec: CompositionSpec) => [...new Set([...spec.primary, ...spec.borrow])]

  /** The saved compositions a spec must be kept apart from; a missing one is left out, and composeDataset names it. */
  async function disjointCompositions(spec: CompositionSpec): Promise<DisjointCompositions> {
    const found = new Map<string, { name: string; assignments: Composition['assignments'] }>()
    if (!spec.disjointFrom?.length) return found
    const saved = new Map((await library.listCompositions()).map((summary) => [summary.id, summary.name]))
    for (const id of spec.disjointFrom ?? []) {
      if (!saved.has(id)) continue
      found.set(id, { name: saved.get(id)!, assignments: (await library.loadComposition({ compositionId: id })).assignments })
    }
    return found
  }

  return {
    async build(spec) {
      const all = await library.imageRecords({ datasetIds: datasetsOf(spec) })
      const flagged = (await deps.flaggedImages?.(datasetsOf(spec))) ?? new Set<string>()
      const records = all.filter((record) => !flagged.has(`${record.datasetId}/${record.imageId}`))
      const composition = composeDataset(spec, records, await disjointCompositions(spec))
      const left = all.length - records.length
      if (left > 0) composition.warnings.push(`${left} image(s) left out: their lung mask was flagged bad in review`)
      return { composition, leakage: checkLeakage(composition) }
    },
    async save(composition, name) {
      // Never store a composition that leaks, whatever the caller claims.
      const leakage = checkLeakage(composition)
      if (!leakage.ok) {
        throw new Error(`${composition.spec.name}: not saved, ${leakage.patientOverlaps.length} patient(s) and ${leakage.duplicateImages.length} identical image(s) are on two sides of a split`)
      }
      return library.saveComposition({ composition, name })
    },
    list: () => library.listCompositions(),
    async load(compositionId) {
      const composition = await library.loadComposition({ compositionId })
      return { composition, leakage: checkLeakage(composition) }
    },
    remove: (compositionId) => library.deleteComposition({ compositionId }),
    async exportJson(compositionId) {
      return exportComposition(await library.loadComposition({ compositionId }))
    },
    async importJson(json) {
      const parsed = parseJsonText(json, 'The composition file')
      const datasetIds = (await library.listDatasets()).map((dataset) => dataset.id)
      if (datasetIds.length === 0) throw new Error('the library has no datasets: import the images the composition refers to first')
      const result = importComposition(parsed, await library.imageRecords({ datasetIds }))
      if (!result.ok) throw new Error(result.message)
      return { composition: result.composition, leakage: checkLeakage(result.composition) }
    },
  }
}
