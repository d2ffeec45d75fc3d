import { readFileSync } from 'node:fs'

/** The largest resident set seen while a stage ran, and the CPU time it took. */
export interface RssWatch {
  /** Stops sampling; the peak RSS in bytes over the samples (and the start and end). */
  stop(): number
  /** CPU seconds (user + system) of every thread of this process since the watch began. */
  cpuSeconds(): number
}

/**
 * Samples this process's resident set size (`process.memoryUsage.rss()`, from /proc/self/statm on Linux) every
 * `intervalMs`. Job workers are threads of this process, so their memory (heaps, native tensors, the cache files
 * they map) is inside this figure; a short spike between two samples can be missed, which {@link peakRssSinceStart}
 * does not. The CPU time is the process's (getrusage), workers included: on a shared machine, images per CPU-second
 * say what the code costs whatever else runs.
 */
export function watchRss(intervalMs = 100): RssWatch {
  const cpu = process.cpuUsage()
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
    cpuSeconds() {
      const used = process.cpuUsage(cpu)
      return (used.user + used.system) / 1e6
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
