/**
 * One decoding child process of `cxr fuzz`, under a wall-clock limit per input and a memory
 * limit: the parent reads the child's resident memory from /proc while it decodes and kills it
 * past the limit (a V8 heap limit alone would miss wasm memory and sharp's native buffers). A
 * killed or dead child is replaced by the caller with `DecodeChild.start`.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChildReply, ChildTask } from './protocol'

/** How to start the child: a script and the Node flags and environment it needs. */
export interface ChildEntry {
  file: string
  execArgv: string[]
  env?: NodeJS.ProcessEnv
}

/** Limits applied to every input. */
export interface ChildLimits {
  timeoutMilliseconds: number
  memoryBytes: number
}

/** How one input ended, seen from the parent. */
export type ChildOutcome =
  | { kind: 'reply'; reply: ChildReply; peakRssBytes: number }
  | { kind: 'hang'; milliseconds: number; peakRssBytes: number }
  | { kind: 'memory'; milliseconds: number; peakRssBytes: number }
  | { kind: 'crash'; milliseconds: number; peakRssBytes: number; detail: string }

/** File name of the bundled child (electron.vite.config.ts: main `rollupOptions.input.fuzzChild`). */
export const CHILD_BUNDLE = 'fuzzChild.js'
const POLL_MILLISECONDS = 20
const START_TIMEOUT_MILLISECONDS = 60_000

/**
 * The bundled child next to the CLI bundle (out/main/, or its parent when this code sits in a
 * chunk); when running from TypeScript sources (tests), the .ts entry through tsx.
 */
export function defaultChildEntry(from: string = import.meta.url): ChildEntry {
  const here = dirname(fileURLToPath(from))
  for (const folder of [here, join(here, '..')]) {
    const file = join(folder, CHILD_BUNDLE)
    if (existsSync(file)) return { file, execArgv: [] }
  }
  const source = join(here, 'fuzzChild.ts')
  if (existsSync(source)) {
    const root = join(here, '..', '..', '..')
    return { file: source, execArgv: ['--import', 'tsx'], env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.node.json') } }
  }
  throw new Error(`the fuzz child ${CHILD_BUNDLE} was not found next to ${here}: build the app (npm run build)`)
}

/** A started child, ready for inputs one at a time. */
export class DecodeChild {
  private stderrTail = ''
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  /** Set when the kill is sent: its 'exit' event comes later, and no input may reach the dying child meanwhile. */
  private killed = false

  private constructor(
    private readonly child: ChildProcess,
    private readonly limits: ChildLimits,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2000)
    })
    child.on('exit', (code, signal) => {
      this.exited = { code, signal }
    })
  }

  /** Start a child and wait until it has loaded the decoders' entry module. */
  static async start(entry: ChildEntry, limits: ChildLimits): Promise<DecodeChild> {
    const heapMegabytes = Math.max(64, Math.floor(limits.memoryBytes / 2 ** 20))
    const child = fork(entry.file, [], {
      execArgv: [...entry.execArgv, `--max-old-space-size=${heapMegabytes}`],
      env: entry.env ?? process.env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    })
    const started = new DecodeChild(child, limits)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the fuzz child did not start within ${START_TIMEOUT_MILLISECONDS / 1000} s`)), START_TIMEOUT_MILLISECONDS)
      child.once('message', () => {
        clearTimeout(timer)
        resolve()
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`the fuzz child exited while starting (code ${code}): ${started.stderrTail.trim()}`))
      })
    })
    return started
  }

  /** True while the child can take another input. */
  get alive(): boolean {
    return this.exited === undefined && !this.killed
  }

  /** Resident memory now, in bytes (0 where /proc is not available). */
  residentBytes(): number {
    return readStatus(this.child.pid, 'VmRSS')
  }

  /** Decode one input; the child is killed on a hang or past the memory limit. */
  run(task: ChildTask): Promise<ChildOutcome> {
    const started = performance.now()
    let peak = 0
    return new Promise<ChildOutcome>((resolve) => {
      let settled = false
      const finish = (outcome: ChildOutcome, kill = false) => {
        if (settled) return
        settled = true
        clearInterval(poll)
        clearTimeout(timer)
        this.child.off('message', onMessage)
        this.child.off('exit', onExit)
        if (kill) this.close()
        resolve(outcome)
      }
      const elapsed = () => performance.now() - started
      const measure = () => {
        peak = Math.max(peak, readStatus(this.child.pid, 'VmHWM'), readStatus(this.child.pid, 'VmRSS'))
        return peak
      }
      const poll = setInterval(() => {
        if (measure() > this.limits.memoryBytes) finish({ kind: 'memory', milliseconds: elapsed(), peakRssBytes: peak }, true)
      }, POLL_MILLISECONDS)
      const timer = setTimeout(() => finish({ kind: 'hang', milliseconds: elapsed(), peakRssBytes: measure() }, true), this.limits.timeoutMilliseconds)
      const onMessage = (reply: ChildReply) => {
        if (reply.id !== task.id) return
        finish({ kind: 'reply', reply, peakRssBytes: Math.max(measure(), reply.peakRssBytes) })
      }
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        // V8 reports its own heap limit on stderr before aborting: that is the memory limit at work, not a crash.
        const heapLimit = /heap limit|out of memory/i.test(this.stderrTail)
        const detail = `the child ${signal ? `was killed by ${signal}` : `exited with code ${code}`}${this.stderrTail ? `: ${lastLines(this.stderrTail)}` : ''}`
        finish(heapLimit ? { kind: 'memory', milliseconds: elapsed(), peakRssBytes: peak } : { kind: 'crash', milliseconds: elapsed(), peakRssBytes: peak, detail })
      }
      this.child.on('message', onMessage)
      this.child.on('exit', onExit)
      if (this.exited) return onExit(this.exited.code, this.exited.signal)
      this.stderrTail = ''
      this.child.send(task)
    })
  }

  /** End the child (it has nothing to save). */
  close(): void {
    if (!this.alive) return
    this.killed = true
    this.child.kill('SIGKILL')
  }
}

/** A field of /proc/PID/status in bytes (VmRSS: resident now; VmHWM: its peak). */
function readStatus(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  if (pid === undefined) return 0
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'latin1'))
    return match ? Number(match[1]) * 1024 : 0
  } catch {
    return 0
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ')
}
