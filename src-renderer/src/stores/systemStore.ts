import { acceptHMRUpdate, defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { BackendPreference, EngineReport } from '@shared/system/engineTypes'
import type { SystemReport } from '@shared/system/systemTypes'
import { useApi } from '../api/client'
import { messageOf } from '../api/errorMessage'

/** The System page's state: the report, loading and errors, and the backend preference. */
export const useSystemStore = defineStore('system', () => {
  const report = shallowRef<SystemReport | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  const connectionError = ref<string | null>(null)
  const transport = ref<'electron' | 'browser' | null>(null)
  let unsubscribe: (() => void) | undefined

  function client() {
    try {
      const api = useApi()
      transport.value = api.transport
      connectionError.value = null
      return api
    } catch (reason) {
      connectionError.value = messageOf(reason)
      return undefined
    }
  }

  async function refresh(): Promise<void> {
    const api = client()
    if (!api) return
    loading.value = true
    error.value = null
    try {
      report.value = await api.api.system.getReport({})
      unsubscribe ??= api.on('engine.onDidChangeBackend', (engine) => applyEngine(engine))
    } catch (reason) {
      error.value = messageOf(reason)
    } finally {
      loading.value = false
    }
  }

  async function setBackendPreference(preference: BackendPreference): Promise<void> {
    const api = client()
    if (!api) return
    loading.value = true
    error.value = null
    try {
      applyEngine(await api.api.engine.setPreference({ preference }))
    } catch (reason) {
      error.value = messageOf(reason)
    } finally {
      loading.value = false
    }
  }

  function applyEngine(engine: EngineReport): void {
    if (report.value) report.value = { ...report.value, engine }
  }

  return { report, loading, error, connectionError, transport, refresh, setBackendPreference }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useSystemStore, import.meta.hot))
