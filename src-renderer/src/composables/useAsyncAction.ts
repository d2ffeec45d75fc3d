import { ref } from 'vue'

/**
 * The busy flag and error message of a store's actions: `run` marks the store busy, clears the last error, and
 * turns a failure into a message the page shows instead of an unhandled rejection.
 */
export function useAsyncAction() {
  const busy = ref(false)
  const error = ref<string | null>(null)
  async function run<T>(work: () => Promise<T>): Promise<T | undefined> {
    busy.value = true
    error.value = null
    try {
      return await work()
    } catch (reason) {
      error.value = (reason as Error).message
      return undefined
    } finally {
      busy.value = false
    }
  }
  return { busy, error, run }
}
