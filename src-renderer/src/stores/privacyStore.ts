import { acceptHMRUpdate, defineStore } from 'pinia'
import { ref } from 'vue'
import { useApi } from '../api/client'
import { useAsyncAction } from '../composables/useAsyncAction'

/** The privacy settings of the System page: whether identifying data is shown in listings (null until loaded). */
export const usePrivacyStore = defineStore('privacy', () => {
  const showPhi = ref<boolean | null>(null)
  const { busy, error, run } = useAsyncAction()

  async function load(): Promise<void> {
    await run(async () => {
      showPhi.value = (await useApi().api.system.privacy({})).showPhi
    })
  }

  /** The only place the setting changes; the desktop app confirms "on" in a system dialog as well. */
  async function setShowPhi(show: boolean): Promise<void> {
    await run(async () => {
      showPhi.value = (await useApi().api.system.setShowPhi({ show })).showPhi
    })
  }

  return { showPhi, busy, error, load, setShowPhi }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(usePrivacyStore, import.meta.hot))
