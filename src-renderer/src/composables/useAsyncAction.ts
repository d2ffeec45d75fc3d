import { ref } from 'vue'
import { messageOf } from '../api/errorMessage'

/**
 * The busy flag and error message of a store's actions: `run` marks the store busy, clears the last error, and
 * turns a failure into a message the page shows instead of an unhandled rejection. A page that says what it is
 * waiting for passes a label, which `activity` holds while that action runs.
 */
export function useAsyncAction() {
  const busy = ref(false)
  const activity = ref<string | null>(null)
  const error = ref<string | null>(null)
  async function run<T>(work: () => Promise<T>, label?: string): Promise<T | undefined> {
    busy.value = true
    activity.value = label ?? null
    error.value = null
    try {
      return await work()
    } catch (reason) {
      error.value = messageOf(reason)
      return undefined
    } finally {
      busy.value = false
      activity.value = null
    }
  }
  return { busy, activity, error, run }
}
