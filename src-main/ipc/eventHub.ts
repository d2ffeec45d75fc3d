import type { EventName, EventPayload } from '@shared/ipc'
import { checkEvent } from './dispatcher'

type Listener = (name: EventName, payload: unknown) => void

/** Fans events out to every connected transport (Electron windows, bridge sockets). */
export interface EventHub {
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void
  /** Returns an unsubscribe function. */
  subscribe(listener: Listener): () => void
}

/** Creates a hub; payloads are schema-checked once, here, before any transport sends them. */
export function createEventHub(): EventHub {
  const listeners = new Set<Listener>()
  return {
    emit(name, payload) {
      const checked = checkEvent(name, payload)
      for (const listener of listeners) listener(name, checked)
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
