import { nextTick, watch, type Ref, type WatchSource } from 'vue'

/**
 * Moves keyboard focus to the first heading in `root` (default: the page's main region) once it is rendered. After a
 * step or page changes, focus would otherwise fall to the page body, and the next key press could reach a button
 * that took the old one's place; a screen reader also announces where the user now is.
 */
export async function focusHeading(root?: HTMLElement | null, selector = 'h1, h2'): Promise<void> {
  await nextTick()
  // A lazily loaded page renders a few frames later: look for its heading for up to about a second.
  for (let frame = 0; frame < 60; frame++) {
    const scope = root ?? document.getElementById('content')
    const heading = scope?.querySelector<HTMLElement>(selector)
    if (heading) {
      if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1')
      heading.focus({ preventScroll: false })
      return
    }
    await new Promise((resolve) => requestAnimationFrame(resolve))
  }
}

/** Focuses the first heading inside `root` whenever `source` changes (a wizard's step, a panel that opens). */
export function useFocusOnChange(source: WatchSource, root: Ref<HTMLElement | null>, selector?: string): void {
  watch(source, () => void focusHeading(root.value, selector), { flush: 'post' })
}
