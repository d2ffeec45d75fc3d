import { computed, onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

/**
 * Which cells of a fixed-size grid are on screen, so a grid of 30 000 thumbnails renders only the few dozen
 * visible (plus one row above and below).
 */
export function useVirtualGrid(container: Ref<HTMLElement | null>, count: Ref<number>, cell: { width: number; height: number }) {
  const scrollTop = ref(0)
  const width = ref(800)
  const height = ref(600)
  let observer: ResizeObserver | undefined

  const columns = computed(() => Math.max(1, Math.floor(width.value / cell.width)))
  const rows = computed(() => Math.ceil(count.value / columns.value))
  const totalHeight = computed(() => rows.value * cell.height)
  const range = computed(() => {
    const firstRow = Math.max(0, Math.floor(scrollTop.value / cell.height) - 1)
    const lastRow = Math.min(rows.value, Math.ceil((scrollTop.value + height.value) / cell.height) + 1)
    return { start: firstRow * columns.value, end: Math.min(count.value, lastRow * columns.value) }
  })

  function onScroll(): void {
    scrollTop.value = container.value?.scrollTop ?? 0
  }

  function position(index: number): { top: string; left: string } {
    return { top: `${Math.floor(index / columns.value) * cell.height}px`, left: `${(index % columns.value) * cell.width}px` }
  }

  onMounted(() => {
    observer = new ResizeObserver(() => {
      width.value = container.value?.clientWidth ?? width.value
      height.value = container.value?.clientHeight ?? height.value
    })
    if (container.value) observer.observe(container.value)
  })
  onBeforeUnmount(() => observer?.disconnect())

  return { range, totalHeight, position, onScroll }
}
