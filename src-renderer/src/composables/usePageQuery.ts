import { onBeforeUnmount } from 'vue'
import { onBeforeRouteLeave, useRoute, useRouter, type LocationQueryRaw } from 'vue-router'

/**
 * Sets the current page's query (the dataset shown, the study open) unless the user is on the way to another
 * page. A page that loads asynchronously can finish after the user clicked elsewhere; a bare
 * `router.replace({ query })` then cancels the navigation in flight and sends the user back (seen: "Import a
 * dataset…" clicked while the Datasets page was still loading returned to the Datasets page).
 */
export function usePageQuery(): (query: LocationQueryRaw) => Promise<void> {
  const router = useRouter()
  const route = useRoute()
  let leaving = false
  onBeforeRouteLeave(() => {
    leaving = true
  })
  // A navigation away that was stopped (a guard, a newer click) leaves the user here: the page may set its query again.
  const stopWatching = router.afterEach((_to, _from, failure) => {
    if (failure) leaving = false
  })
  onBeforeUnmount(() => {
    leaving = true
    stopWatching()
  })
  return async (query) => {
    if (leaving) return
    await router.replace({ path: route.path, query })
  }
}
