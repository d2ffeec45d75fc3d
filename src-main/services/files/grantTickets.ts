import { randomBytes, timingSafeEqual } from 'node:crypto'

/** How long a confirmation stays valid after the picker showed the folder. */
export const TICKET_LIFETIME_MS = 10 * 60 * 1000
/** Tickets kept at once; the oldest is forgotten first (a page listing folders in a loop cannot fill memory). */
const MAX_TICKETS = 64

/**
 * Single-use confirmations tying a grant to a listing the picker showed: the ticket is issued with the listing of
 * one folder and is good for that folder only, once, for ten minutes.
 */
export interface GrantTickets {
  issue(folder: string): string
  /** True when `ticket` was issued for `folder`, is unused and unexpired; it is used up either way. */
  redeem(folder: string, ticket: string): boolean
}

/** Creates the ticket book. @param now the clock (tests move it). */
export function createGrantTickets(now: () => number = Date.now): GrantTickets {
  const tickets = new Map<string, { folder: string; expires: number }>()
  return {
    issue(folder) {
      const ticket = randomBytes(18).toString('base64url')
      tickets.set(ticket, { folder, expires: now() + TICKET_LIFETIME_MS })
      while (tickets.size > MAX_TICKETS) tickets.delete(tickets.keys().next().value!)
      return ticket
    },
    redeem(folder, ticket) {
      const entry = tickets.get(ticket)
      tickets.delete(ticket)
      if (!entry || entry.expires < now()) return false
      const [a, b] = [Buffer.from(entry.folder), Buffer.from(folder)]
      return a.length === b.length && timingSafeEqual(a, b)
    },
  }
}
