import type { LinkId } from '../ids'
import type { Unsubscribe } from '../util/emitter'

export interface CloseInfo {
  readonly code: number
  readonly reason: string
}

/**
 * A bidirectional pipe of whole binary frames. It may open and close many times (a dialer
 * reconnects, a faulty link bounces); each open starts a fresh sync session.
 */
export interface Link {
  readonly id: LinkId
  readonly isOpen: boolean
  send(frame: Uint8Array): void
  close(code?: number, reason?: string): void
  onFrame(listener: (frame: Uint8Array) => void): Unsubscribe
  onOpen(listener: () => void): Unsubscribe
  onClose(listener: (info: CloseInfo) => void): Unsubscribe
}

/** Timers, real or simulated. */
export interface Scheduler {
  now(): number
  after(ms: number, fn: () => void): () => void
}

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms)
    return () => clearTimeout(t)
  },
}
