import { init, type ECharts } from 'echarts/core'
import { onBeforeUnmount, onMounted, watch, type Ref, type WatchSource } from 'vue'

/**
 * One ECharts instance bound to an element: created on mount, resized with the element, disposed on unmount, and
 * redrawn (whole option, no animation: live data redraws often) whenever `source` changes.
 */
export function useECharts(element: Ref<HTMLElement | null>, option: () => Record<string, unknown>, source: WatchSource): void {
  let chart: ECharts | undefined
  let observer: ResizeObserver | undefined
  const render = () => chart?.setOption({ backgroundColor: 'transparent', animation: false, textStyle: { color: '#b7c2cc' }, ...option() }, { notMerge: true })
  onMounted(() => {
    chart = init(element.value!, undefined, { renderer: 'canvas' })
    render()
    observer = new ResizeObserver(() => chart?.resize())
    observer.observe(element.value!)
  })
  onBeforeUnmount(() => {
    observer?.disconnect()
    chart?.dispose()
  })
  watch(source, render, { deep: true })
}
