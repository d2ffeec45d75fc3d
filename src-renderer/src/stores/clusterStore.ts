import { acceptHMRUpdate, defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { BundleSource, BundleStatus, ClusterProgressEvent, ExportResult, ImportResult } from '@shared/cluster'
import { useApi } from '../api/client'
import { useAsyncAction } from '../composables/useAsyncAction'

/**
 * Runs on a cluster as the Runs page shows them: sending a study or run as a bundle folder, the bundles sent from
 * here with their tasks, and bringing finished results back.
 */
export const useClusterStore = defineStore('cluster', () => {
  const bundles = shallowRef<BundleStatus[]>([])
  /** What is waiting for a folder: a study or run to send, or results to import. */
  const choosing = ref<{ action: 'send'; source: BundleSource; name: string } | { action: 'import' } | null>(null)
  const progress = ref<ClusterProgressEvent | null>(null)
  const exported = shallowRef<ExportResult | null>(null)
  const imported = shallowRef<ImportResult | null>(null)
  const { activity, error, run } = useAsyncAction()
  let subscribed = false

  function subscribe(): void {
    if (subscribed) return
    subscribed = true
    useApi().on('cluster.onDidProgress', (event) => {
      progress.value = event
    })
  }

  const refresh = () =>
    run(async () => {
      subscribe()
      bundles.value = await useApi().api.cluster.bundles({})
    })

  /** The desktop app asks with the system's folder dialog (which grants the folder); the browser shows the picker. */
  async function ask(request: NonNullable<typeof choosing.value>): Promise<void> {
    exported.value = null
    imported.value = null
    if (useApi().transport !== 'electron') {
      choosing.value = request
      return
    }
    const title = request.action === 'send' ? 'Choose where to write the cluster bundle' : 'Choose the bundle folder copied back from the cluster'
    const chosen = await run(async () => (await useApi().api.files.chooseFolder({ title })).folder)
    choosing.value = request
    if (chosen) await useFolder(chosen)
    else choosing.value = null
  }

  async function useFolder(folder: string): Promise<void> {
    const request = choosing.value
    choosing.value = null
    if (!request) return
    subscribe()
    if (request.action === 'send') {
      exported.value = (await run(() => useApi().api.cluster.exportBundle({ source: request.source, folder }), `Writing the bundle of ${request.name}`)) ?? null
    } else {
      imported.value = (await run(() => useApi().api.cluster.importResults({ folder }), 'Checking and importing the results')) ?? null
    }
    progress.value = null
    await refresh()
  }

  const submit = (folder: string) =>
    run(async () => {
      await useApi().api.cluster.submit({ folder })
      bundles.value = await useApi().api.cluster.bundles({})
    }, 'Submitting to Slurm')

  const importFrom = async (folder: string) => {
    exported.value = null
    imported.value = (await run(() => useApi().api.cluster.importResults({ folder }), 'Checking and importing the results')) ?? null
    await refresh()
  }

  return { bundles, choosing, progress, exported, imported, activity, error, refresh, ask, useFolder, submit, importFrom }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useClusterStore, import.meta.hot))
