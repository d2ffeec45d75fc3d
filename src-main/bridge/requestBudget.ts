import { LARGEST_REQUEST_BYTES, MAX_REQUEST_BYTES } from '@shared/ipc'

/**
 * How much the bridge holds in memory at once. A WebSocket message is buffered whole before anyone can look at
 * it, so the limits are on frames (refused by their header, before their payload arrives) and on the requests
 * accepted but not yet answered.
 */
export interface BridgeLimits {
  /** Largest frame accepted: the largest request any channel allows, plus the frame's own envelope. */
  maxFrameBytes: number
  /** Bytes of unanswered requests one connection may hold. */
  connectionBytes: number
  /** Bytes of unanswered requests all connections together may hold. */
  totalBytes: number
  /** Sockets open at once (a browser tab uses one). */
  maxConnections: number
}

/** Room for a binary frame's header and alignment around the largest request's bytes. */
const FRAME_ENVELOPE_BYTES = 64 * 1024

/**
 * The defaults: one request of the largest size (a file opened in the viewer) in flight, plus room for the
 * ordinary small calls the page keeps making meanwhile. With four connections each able to be midway through
 * one frame, the bridge holds at most `totalBytes + maxConnections × maxFrameBytes` of requests.
 */
export const DEFAULT_BRIDGE_LIMITS: BridgeLimits = {
  maxFrameBytes: LARGEST_REQUEST_BYTES + FRAME_ENVELOPE_BYTES,
  connectionBytes: LARGEST_REQUEST_BYTES + FRAME_ENVELOPE_BYTES + 16 * MAX_REQUEST_BYTES,
  totalBytes: LARGEST_REQUEST_BYTES + FRAME_ENVELOPE_BYTES + 32 * MAX_REQUEST_BYTES,
  maxConnections: 4,
}

/** One connection's share of the budget. */
export interface BudgetAccount {
  /** Bytes of this connection's requests not yet answered. */
  readonly inFlight: number
}

/** How the budget slows a connection down. */
export interface FlowControl {
  /** Stop reading from this connection's socket: its frames wait in the sender's buffers, not in ours. */
  pause(): void
  resume(): void
}

/** Counters for tests and logs. */
export interface BudgetStats {
  inFlightBytes: number
  peakInFlightBytes: number
  refusedRequests: number
}

/**
 * Accounts the bytes of requests in flight, per connection and in total. A request is admitted only if it fits
 * both budgets; otherwise it is refused at once (its buffer is dropped). Whenever a frame of the largest size
 * would no longer fit, the connection (or, for the total, every connection) stops being read until requests
 * finish, so large frames queue in TCP instead of in this process's memory.
 */
export class RequestBudget {
  private readonly accounts = new Set<Account>()
  private total = 0
  private peak = 0
  private refused = 0

  constructor(private readonly limits: BridgeLimits) {}

  /** Opens an account for a new connection, which the budget pauses and resumes through `flow`. */
  open(flow: FlowControl): BudgetAccount {
    const account: Account = { inFlight: 0, paused: false, flow }
    this.accounts.add(account)
    this.reconsider()
    return account
  }

  /** Closes a connection's account; bytes of its requests still running stay counted until they finish. */
  close(account: BudgetAccount): void {
    this.accounts.delete(account as Account)
  }

  /** Reserves `bytes` for a request; false when it does not fit (the caller refuses the request). */
  admit(account: BudgetAccount, bytes: number): boolean {
    const entry = account as Account
    if (entry.inFlight + bytes > this.limits.connectionBytes || this.total + bytes > this.limits.totalBytes) {
      this.refused += 1
      this.reconsider()
      return false
    }
    entry.inFlight += bytes
    this.total += bytes
    this.peak = Math.max(this.peak, this.total)
    this.reconsider()
    return true
  }

  /** Returns a finished request's bytes. */
  release(account: BudgetAccount, bytes: number): void {
    const entry = account as Account
    entry.inFlight -= bytes
    this.total -= bytes
    this.reconsider()
  }

  /** The current figures. */
  stats(): BudgetStats {
    return { inFlightBytes: this.total, peakInFlightBytes: this.peak, refusedRequests: this.refused }
  }

  private reconsider(): void {
    const totalFull = this.total + this.limits.maxFrameBytes > this.limits.totalBytes
    for (const entry of this.accounts) {
      const full = totalFull || entry.inFlight + this.limits.maxFrameBytes > this.limits.connectionBytes
      if (full && !entry.paused) {
        entry.paused = true
        entry.flow.pause()
      } else if (!full && entry.paused) {
        entry.paused = false
        entry.flow.resume()
      }
    }
  }
}

interface Account {
  inFlight: number
  paused: boolean
  flow: FlowControl
}
