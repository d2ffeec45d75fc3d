import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { ImportProgress, ImportReport } from '@shared/library/jobs'
import type { ImportSpecInput } from '@shared/library/importSpecs'
import type { FolderScan, ImportPreview } from '@shared/library/summaries'
import { useApi } from '../api/client'
import { useAsyncAction } from '../composables/useAsyncAction'

/** The wizard's steps, in order. */
export type WizardStep = 'folder' | 'layout' | 'preview' | 'import'

/** The import wizard: the folder, the spec being drafted, its preview, then the running job and its report. */
export const useImportWizardStore = defineStore('importWizard', () => {
  const step = ref<WizardStep>('folder')
  const folder = ref<string | null>(null)
  const scan = shallowRef<FolderScan | null>(null)
  const spec = shallowRef<ImportSpecInput | null>(null)
  const preview = shallowRef<ImportPreview | null>(null)
  const jobId = ref<string | null>(null)
  const progress = shallowRef<ImportProgress | null>(null)
  const report = shallowRef<ImportReport | null>(null)
  const { busy, error, run } = useAsyncAction()
  const canImport = computed(() => !!preview.value && preview.value.blocking.length === 0 && preview.value.imageCount + preview.value.maskCount > 0)
  let unsubscribe: (() => void) | undefined

  /** Scans a folder the user has granted (the picker's confirmation, or the system's folder dialog). */
  async function chooseFolder(path: string): Promise<void> {
    await run(async () => {
      scan.value = await useApi().api.library.scanFolder({ rootFolder: path })
      folder.value = path
      spec.value = null
      preview.value = null
      step.value = 'layout'
    })
  }

  /** Asks the service what the drafted spec would import, without writing anything. */
  async function previewSpec(next: ImportSpecInput): Promise<void> {
    spec.value = next
    await run(async () => {
      preview.value = await useApi().api.library.previewImport({ spec: next, sampleSize: 12 })
      step.value = 'preview'
    })
  }

  async function startImport(): Promise<void> {
    if (!spec.value) return
    await run(async () => {
      const client = useApi()
      unsubscribe ??= client.on('library.onDidImportProgress', (update) => {
        if (update.jobId !== jobId.value) return
        progress.value = update
        if (['completed', 'cancelled', 'failed', 'interrupted'].includes(update.status)) void loadReport()
      })
      report.value = null
      progress.value = null
      jobId.value = (await client.api.library.startImport({ spec: spec.value! })).jobId
      step.value = 'import'
    })
  }

  async function loadReport(): Promise<void> {
    if (!jobId.value) return
    await run(async () => {
      report.value = await useApi().api.library.getImportReport({ jobId: jobId.value!, issueLimit: 500 })
    })
  }

  async function cancel(): Promise<void> {
    if (jobId.value) await run(() => useApi().api.library.cancelImport({ jobId: jobId.value! }))
  }

  async function resume(): Promise<void> {
    if (!jobId.value) return
    await run(async () => {
      report.value = null
      jobId.value = (await useApi().api.library.resumeImport({ jobId: jobId.value! })).jobId
    })
  }

  /** The desktop app's way to choose: the system's folder dialog, which grants what the user picks. */
  async function chooseWithDialog(): Promise<void> {
    let chosen: string | null = null
    await run(async () => {
      chosen = (await useApi().api.files.chooseFolder({ title: 'Choose the folder that holds the images' })).folder
    })
    if (chosen) await chooseFolder(chosen)
  }

  function restart(): void {
    step.value = 'folder'
    folder.value = null
    scan.value = null
    spec.value = null
    preview.value = null
    jobId.value = null
    progress.value = null
    report.value = null
    error.value = null
  }

  return { step, folder, scan, spec, preview, jobId, progress, report, busy, error, canImport, chooseFolder, chooseWithDialog, previewSpec, startImport, loadReport, cancel, resume, restart }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useImportWizardStore, import.meta.hot))
