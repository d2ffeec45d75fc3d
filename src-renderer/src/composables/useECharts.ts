import { init, type ECharts } from 'echarts/core'
import { onBeforeUnmount, onMounted, watch, type Ref, type WatchSource } from 'vue'

/** Chart text on the app's dark cards: 7.7:1 against --card (#1a2129), where ECharts' default grey is 3.3:1 (WCAG asks 4.5:1). */
const TEXT = '#aab4be'
/** Axis lines and ticks: 4.5:1 against --card (WCAG asks 3:1 for graphics). */
const AXIS_LINE = '#7d8996'
/** Series colours, each at least 6.6:1 against --card (ECharts' default blue is 3.5:1). */
const PALETTE = ['#6ea8fe', '#9be06b', '#ffd166', '#ff8f6b', '#d49bff', '#4fd6c8', '#ff7aa8', '#c9d1d9']

type Axis = Record<string, unknown> & { axisLabel?: Record<string, unknown>; nameTextStyle?: Record<string, unknown> }

/** Gives every axis readable labels, name and line unless the chart set its own. */
function readable(axis: unknown): unknown {
  if (axis === undefined) return undefined
  const style = (one: Axis): Axis => ({
    ...one,
    axisLabel: { color: TEXT, ...one.axisLabel },
    nameTextStyle: { color: TEXT, ...one.nameTextStyle },
    axisLine: { lineStyle: { color: AXIS_LINE } },
    axisTick: { lineStyle: { color: AXIS_LINE } },
  })
  return Array.isArray(axis) ? (axis as Axis[]).map(style) : style(axis as Axis)
}

/**
 * One ECharts instance bound to an element: created on mount, resized with the element, disposed on unmount, and
 * redrawn (whole option, no animation: live data redraws often) whenever `source` changes.
 */
export function useECharts(element: Ref<HTMLElement | null>, option: () => Record<string, unknown>, source: WatchSource): void {
  let chart: ECharts | undefined
  let observer: ResizeObserver | undefined
  const render = () => {
    const { xAxis, yAxis, ...rest } = option()
    chart?.setOption({ backgroundColor: 'transparent', animation: false, textStyle: { color: TEXT }, color: PALETTE, ...rest, xAxis: readable(xAxis), yAxis: readable(yAxis) }, { notMerge: true })
  }
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
