import type { CompositionSummary } from '@shared/library/summaries'
import type { CompositionService } from '../services/datasets/compositionService'
import { UsageError } from './command'

/**
 * A saved composition by id, by any unique beginning of its id (lists show 8 characters), or by name (the newest
 * of that name).
 */
export async function findComposition(compositions: Pick<CompositionService, 'list'>, given: string): Promise<CompositionSummary> {
  const list = await compositions.list()
  const byId = list.filter((c) => c.id === given || c.id.startsWith(given))
  if (byId.length === 1) return byId[0]
  if (byId.length > 1) throw new UsageError(`'${given}' matches ${byId.length} compositions; give more of the id`)
  const byName = list.find((c) => c.name === given)
  if (byName) return byName
  throw new Error(`no saved composition '${given}'${list.length ? `; saved: ${list.map((c) => `${c.id.slice(0, 8)} "${c.name}"`).join(', ')}` : ''}`)
}
