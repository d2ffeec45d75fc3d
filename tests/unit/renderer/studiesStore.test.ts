/**
 * The studies store follows the app's events with a `get` per event. Answers can arrive out of order on a busy
 * machine: an older answer (a study still running, as read before it finished) must not overwrite a newer one, or
 * the page shows a finished study as "running, waiting" for good (seen as an intermittent e2e failure).
 */
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { StudyOverview } from '@shared/studies'

type Listener = (payload: { studyId: string; kind: string }) => void
const listeners = new Map<string, Listener>()
const get = vi.fn<(request: { studyId: string }) => Promise<StudyOverview>>()
const list = vi.fn<() => Promise<StudyOverview[]>>()

vi.mock('../../../src-renderer/src/api/client', () => ({
  useApi: () => ({ api: { studies: { get, list } }, transport: 'bridge', on: (name: string, listener: Listener) => (listeners.set(name, listener), () => undefined) }),
}))

const { useStudiesStore } = await import('../../../src-renderer/src/stores/studiesStore')

const overview = (state: string) => ({ record: { id: 'study-1', createdAt: '2026-12-07T00:00:00Z', state, slots: [] }, progress: { driver: null } }) as unknown as StudyOverview

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((done) => (resolve = done))
  return { promise, resolve }
}

describe('studies store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    listeners.clear()
    get.mockReset()
    list.mockReset()
  })

  it('keeps the newest answer when an older one arrives last', async () => {
    const store = useStudiesStore()
    list.mockResolvedValue([overview('running')])
    await store.refresh()
    const older = deferred<StudyOverview>()
    get.mockReturnValueOnce(older.promise).mockResolvedValueOnce(overview('completed'))
    const changed = listeners.get('studies.onDidChange')!
    changed({ studyId: 'study-1', kind: 'progress' })
    changed({ studyId: 'study-1', kind: 'state' })
    await vi.waitFor(() => expect(store.studies[0].record.state).toBe('completed'))
    older.resolve(overview('running'))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(store.studies[0].record.state).toBe('completed')
  })

  it('does not bring back a deleted study with an answer still on its way', async () => {
    const store = useStudiesStore()
    list.mockResolvedValue([overview('completed')])
    await store.refresh()
    const late = deferred<StudyOverview>()
    get.mockReturnValueOnce(late.promise)
    const changed = listeners.get('studies.onDidChange')!
    changed({ studyId: 'study-1', kind: 'progress' })
    changed({ studyId: 'study-1', kind: 'deleted' })
    late.resolve(overview('completed'))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(store.studies).toEqual([])
  })
})
