import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { StudyAnalysis, StudyEstimate, StudyOverview, StudySpecInput } from '@shared/studies'
import { useApi } from '../api/client'
import { downloadFile } from '../api/download'
import { reportBusyLabel, reportFigures } from '../api/reportRequest'
import { useAsyncAction } from '../composables/useAsyncAction'

/** Studies as the Runs and Results pages show them, kept live by the study and run events. */
export const useStudiesStore = defineStore('studies', () => {
  const studies = shallowRef<StudyOverview[]>([])
  /** Analyses by study id (the table, comparisons and alarms), loaded when a study is opened. */
  const analyses = shallowRef<Record<string, StudyAnalysis>>({})
  const openId = ref<string | null>(null)
  const { activity: busy, error, run } = useAsyncAction()
  let subscribed = false

  /** Run ids that belong to a study: the Runs page lists them under their study. */
  const studyRunIds = computed(() => new Set(studies.value.flatMap((study) => study.record.slots.map((slot) => slot.runId).filter((id): id is string => id !== null))))
  const open = computed(() => studies.value.find((study) => study.record.id === openId.value) ?? null)

  function replace(overview: StudyOverview): void {
    const others = studies.value.filter((study) => study.record.id !== overview.record.id)
    studies.value = [overview, ...others].sort((a, b) => b.record.createdAt.localeCompare(a.record.createdAt))
  }

  /** Per study, the newest reload asked for: events come fast, and an older answer must not overwrite a newer one. */
  const latestReload = new Map<string, number>()
  let reloads = 0

  async function reload(studyId: string): Promise<void> {
    const mine = ++reloads
    latestReload.set(studyId, mine)
    try {
      const overview = await useApi().api.studies.get({ studyId })
      if (latestReload.get(studyId) !== mine) return
      replace(overview)
      if (analyses.value[studyId]) await loadAnalysis(studyId)
    } catch {
      // Deleted meanwhile: the next list shows it gone.
    }
  }

  function subscribe(): void {
    if (subscribed) return
    subscribed = true
    const client = useApi()
    client.on('studies.onDidChange', ({ studyId, kind }) => {
      if (kind === 'deleted') {
        // A reload still on its way must not bring it back.
        latestReload.set(studyId, ++reloads)
        studies.value = studies.value.filter((study) => study.record.id !== studyId)
      } else void reload(studyId)
    })
    // A study run by another program (the command line) is followed through its runs' events.
    client.on('runs.onDidChange', ({ runId, kind }) => {
      if (kind === 'epoch') return
      const owner = studies.value.find((study) => study.record.slots.some((slot) => slot.runId === runId))
      if (owner && !owner.progress.driver?.thisProcess) void reload(owner.record.id)
    })
  }

  const refresh = () =>
    run(async () => {
      subscribe()
      studies.value = await useApi().api.studies.list({})
    })

  async function loadAnalysis(studyId: string): Promise<void> {
    const analysis = await useApi().api.studies.analysis({ studyId })
    analyses.value = { ...analyses.value, [studyId]: analysis }
  }

  const openStudy = (studyId: string) =>
    run(async () => {
      subscribe()
      openId.value = studyId
      await loadAnalysis(studyId)
    }, 'Computing the study’s table, comparisons and alarms…')

  const estimate = (spec: StudySpecInput): Promise<StudyEstimate | undefined> => run(() => useApi().api.studies.estimate({ spec: spec as never }), 'Timing a few training steps of each distinct run…')

  const start = (spec: StudySpecInput, estimated: StudyEstimate | null) =>
    run(async () => {
      subscribe()
      const overview = await useApi().api.studies.start({ spec: spec as never, estimate: estimated })
      replace(overview)
      return overview.record.id
    }, 'Checking the study and starting it…')

  const cancel = (studyId: string) => run(async () => replace(await useApi().api.studies.cancel({ studyId })))
  const resume = (studyId: string) => run(async () => replace(await useApi().api.studies.resume({ studyId })))
  const remove = (studyId: string) =>
    run(async () => {
      const removed = studies.value.find((study) => study.record.id === studyId)
      await useApi().api.studies.remove({ studyId })
      studies.value = studies.value.filter((study) => study.record.id !== studyId)
      if (openId.value === studyId) openId.value = null
      if (removed) lastDeleted.value = removed
    })

  /** The study deleted last in this window: Undo brings it back (the app keeps a deleted study for an hour). */
  const lastDeleted = shallowRef<StudyOverview | null>(null)
  const undoDelete = () =>
    run(async () => {
      const removed = lastDeleted.value
      if (!removed) return
      replace(await useApi().api.studies.restore({ studyId: removed.record.id }))
      lastDeleted.value = null
    })

  /** The HTML report of one study: its table, comparisons, alarms, and the matrix, curves and provenance of its runs. */
  const downloadReport = (studyId: string, withSlowFigures: boolean) =>
    run(async () => {
      const { html } = await useApi().api.report.html({ studyId, split: 'test', ...reportFigures(withSlowFigures) })
      downloadFile('cxr-study-report.html', html, 'text/html')
    }, reportBusyLabel('Writing the study report', withSlowFigures))

  return { studies, analyses, openId, open, studyRunIds, busy, error, refresh, openStudy, loadAnalysis, estimate, start, cancel, resume, remove, lastDeleted, undoDelete, downloadReport }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useStudiesStore, import.meta.hot))
