import { readFileSync } from 'node:fs'

/** The largest resident set seen while a stage ran. */
export interface RssWatch {
  /** Stops sampling; the peak RSS in bytes over the samples (and the start and end). */
  stop(): number
}

/**
 * Samples this process's resident set size (`process.memoryUsage.rss()`, from /proc/self/statm on Linux) every
 * `intervalMs`. Job workers are threads of this process, so their memory (heaps, native tensors, the cache files
 * they map) is inside this figure; a short spike between two samples can be missed, which {@link peakRssSinceStart}
 * does not.
 */
export function watchRss(intervalMs = 100): RssWatch {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, intervalMs)
  timer.unref()
  return {
    stop() {
      clearInterval(timer)
      return Math.max(peak, process.memoryUsage.rss())
    },
  }
}

/** The kernel's high-water mark of this process's RSS (VmHWM of /proc/self/status) in bytes; null off Linux. */
export function peakRssSinceStart(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    return match ? Number(match[1]) * 1024 : null
  } catch {
    return null
  }
}
