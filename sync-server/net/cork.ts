import type { Socket } from 'node:net'

/**
 * Sockets corked during this turn of the event loop, uncorked together once its I/O callbacks
 * have run. Every frame sent to a socket in the meantime (a WebSocket frame is a header and a
 * payload) leaves in one `writev` call instead of one call per frame: fan-out sends a room's
 * updates to each socket several at a time, and the system call per write was the largest
 * cost of relaying.
 */
const corked = new Set<Socket>()

function uncorkAll(): void {
  for (const socket of corked) socket.uncork()
  corked.clear()
}

/** Holds what is written to `socket` until the check phase of this loop turn (setImmediate). */
export function corkForThisTurn(socket: Socket): void {
  if (corked.has(socket)) return
  if (corked.size === 0) setImmediate(uncorkAll)
  corked.add(socket)
  socket.cork()
}
