import { randomUUID } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import type { RunOwner, RunProgress } from '@shared/runs/record'
import { processAlive } from '../system/processAlive'

/**
 * One owner per run. The process that queues or trains a run holds a lease on it, `<runFolder>/owner.json`
 * (process id, host, which program, a heartbeat renewed every few seconds, and the live progress). Another
 * process on the same data folder — the app beside `cxr train`, a second window — sees the run as running there,
 * reads its progress from that file, and never marks it interrupted, resumes or deletes it while the lease
 * lives. A lease whose process is gone (or whose heartbeat stopped) is dead: any process may then take it over,
 * one at a time (a `owner.takeover` folder, made atomically, serialises the takeover).
 */

/** The lease file in a run folder. */
export const LEASE_FILE = 'owner.json'
/** A request from another process to stop a run this process trains. */
export const CANCEL_REQUEST_FILE = 'cancel-request.json'
const TAKEOVER_DIR = 'owner.takeover'

/** How often the owner renews its leases. */
export const HEARTBEAT_MS = 2_000
/** A heartbeat older than this means the owner stopped (a frozen or killed process, another host gone). */
export const STALE_AFTER_MS = 30_000

/** What the lease file holds. */
export interface LeaseFile {
  pid: number
  host: string
  kind: string
  /** Tells apart two owners in one process (tests run several services side by side). */
  instanceId: string
  startedAt: string
  heartbeatAt: string
  progress: RunProgress | null
}

/** Outcome of {@link LeaseKeeper.acquire}. */
export type AcquireResult = { acquired: true } | { acquired: false; holder: LeaseFile }

/** The leases one process holds. */
export interface LeaseKeeper {
  readonly instanceId: string
  /** Takes the lease of a run folder unless a live process holds it. */
  acquire(runFolder: string): Promise<AcquireResult>
  /** Gives the lease back (no-op when not held). */
  release(runFolder: string): Promise<void>
  /** True when this keeper holds the folder's lease. */
  holds(runFolder: string): boolean
  /** Progress to publish with the next heartbeat. */
  setProgress(runFolder: string, progress: RunProgress | null): void
  /** Stops the heartbeat and releases every lease. */
  close(): Promise<void>
}

/** The lease of a run folder as written, or null when there is none or it cannot be read. */
export async function readLease(runFolder: string): Promise<LeaseFile | null> {
  try {
    const lease = JSON.parse(await readFile(join(runFolder, LEASE_FILE), 'utf8')) as Partial<LeaseFile>
    if (typeof lease.pid !== 'number' || typeof lease.host !== 'string' || typeof lease.heartbeatAt !== 'string') return null
    return { kind: 'unknown', instanceId: '', startedAt: lease.heartbeatAt, progress: null, ...lease } as LeaseFile
  } catch {
    return null
  }
}

/** True while the lease's process still works on the run. */
export function isLeaseAlive(lease: LeaseFile, now = Date.now()): boolean {
  const age = now - Date.parse(lease.heartbeatAt)
  if (!(age < STALE_AFTER_MS)) return false
  // On this machine a missing process is dead at once, whatever its last heartbeat said.
  if (lease.host === hostname()) return processAlive(lease.pid)
  return true
}

/** The lease as the run record shows it. */
export function ownerOf(lease: LeaseFile, instanceId: string): RunOwner {
  return { pid: lease.pid, host: lease.host, kind: lease.kind, startedAt: lease.startedAt, heartbeatAt: lease.heartbeatAt, thisProcess: lease.instanceId === instanceId && lease.pid === process.pid }
}

/** Words for a message: "the command line (process 1234)" or "another app window (process 1234 on host-b)". */
export function describeHolder(lease: LeaseFile): string {
  const program = lease.kind === 'cli' ? 'the command line (cxr)' : lease.kind === 'app' ? 'another app window' : 'another program'
  return `${program}, process ${lease.pid}${lease.host === hostname() ? '' : ` on ${lease.host}`}`
}

/** Creates the lease keeper of this process; `kind` names the program in messages (`app`, `cli`). */
export function createLeaseKeeper(kind: string, clock: () => Date = () => new Date()): LeaseKeeper {
  const instanceId = randomUUID()
  const held = new Map<string, LeaseFile>()
  let timer: NodeJS.Timeout | null = null

  async function write(runFolder: string, lease: LeaseFile): Promise<void> {
    const file = join(runFolder, LEASE_FILE)
    const temporary = `${file}.${process.pid}.${instanceId.slice(0, 8)}.tmp`
    await writeFile(temporary, JSON.stringify(lease))
    await rename(temporary, file)
  }

  function fresh(): LeaseFile {
    const now = clock().toISOString()
    return { pid: process.pid, host: hostname(), kind, instanceId, startedAt: now, heartbeatAt: now, progress: null }
  }

  async function heartbeat(): Promise<void> {
    for (const [runFolder, lease] of held) {
      lease.heartbeatAt = clock().toISOString()
      // A run folder deleted under us (by this process's delete) simply stops being renewed.
      if (!existsSync(runFolder)) continue
      await write(runFolder, lease).catch(() => undefined)
    }
  }

  function ensureTimer(): void {
    if (timer || held.size === 0) return
    timer = setInterval(() => void heartbeat(), HEARTBEAT_MS)
    timer.unref()
  }

  /** Removes the lease file unless another process took the run over meanwhile (this one froze past the stale limit). */
  async function removeIfMine(runFolder: string): Promise<void> {
    const current = await readLease(runFolder)
    if (current && current.instanceId !== instanceId) return
    await rm(join(runFolder, LEASE_FILE), { force: true }).catch(() => undefined)
  }

  async function takeOver(runFolder: string, seen: LeaseFile | null): Promise<AcquireResult> {
    const lock = join(runFolder, TAKEOVER_DIR)
    try {
      await mkdir(lock)
    } catch {
      // Another process is taking over right now; a takeover folder left by a crash is cleared after a while.
      const age = existsSync(lock) ? Date.now() - statSync(lock).mtimeMs : 0
      if (age > STALE_AFTER_MS) await rm(lock, { recursive: true, force: true })
      const holder = (await readLease(runFolder)) ?? seen ?? fresh()
      return { acquired: false, holder }
    }
    try {
      const current = await readLease(runFolder)
      if (current && isLeaseAlive(current) && current.instanceId !== instanceId) return { acquired: false, holder: current }
      const lease = fresh()
      await write(runFolder, lease)
      held.set(runFolder, lease)
      ensureTimer()
      return { acquired: true }
    } finally {
      await rmdir(lock).catch(() => undefined)
    }
  }

  return {
    instanceId,
    async acquire(runFolder) {
      if (held.has(runFolder)) return { acquired: true }
      await mkdir(runFolder, { recursive: true })
      const lease = fresh()
      try {
        await writeFile(join(runFolder, LEASE_FILE), JSON.stringify(lease), { flag: 'wx' })
        held.set(runFolder, lease)
        ensureTimer()
        return { acquired: true }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
      const existing = await readLease(runFolder)
      if (existing && isLeaseAlive(existing) && existing.instanceId !== instanceId) return { acquired: false, holder: existing }
      return takeOver(runFolder, existing)
    },
    async release(runFolder) {
      if (!held.delete(runFolder)) return
      if (held.size === 0 && timer) {
        clearInterval(timer)
        timer = null
      }
      await removeIfMine(runFolder)
    },
    holds: (runFolder) => held.has(runFolder),
    setProgress(runFolder, progress) {
      const lease = held.get(runFolder)
      if (lease) lease.progress = progress
    },
    async close() {
      if (timer) clearInterval(timer)
      timer = null
      const folders = [...held.keys()]
      held.clear()
      await Promise.all(folders.map(removeIfMine))
    },
  }
}
