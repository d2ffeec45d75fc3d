/** `cxr bench --load N`: N processes really spin while the suites run, and are gone once the load is stopped. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { startCpuLoad } from '../../../src-main/cli/bench/cpuLoad'

/** Whether a process of this id exists (signal 0 tests without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** CPU ticks (user + system) a process has used, from /proc/PID/stat. */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return Number(fields[11]) + Number(fields[12])
}

describe('CPU load', () => {
  it('starts busy processes that use CPU, and ends them', async () => {
    const load = startCpuLoad(1)
    expect(load.pids).toHaveLength(1)
    const [pid] = load.pids
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500))
      expect(alive(pid)).toBe(true)
      if (process.platform === 'linux') expect(cpuTicks(pid)).toBeGreaterThan(0)
    } finally {
      await load.stop()
    }
    expect(alive(pid)).toBe(false)
  })
})
