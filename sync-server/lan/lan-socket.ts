import type { WebSocket } from 'ws'
import type { ReplicaId } from '../../shared/ids'
import { closeReason } from '../net/limits'
import { toBytes } from '../net/ws-link'
import type { Logger } from '../ops/logger'
import type { FrameCipher } from './frame-cipher'
import { CLOSE_MALFORMED, type Handshake } from './handshake'

export const HANDSHAKE_TIMEOUT_MS = 10_000
export const CLOSE_HANDSHAKE_TIMEOUT = 4408

export interface HandshakeContext {
  readonly log: Logger
  /** For logs: who is at the other end (address, or the URL dialed). */
  readonly remote: string
  readonly timeoutMs?: number
  /**
   * Called synchronously on success, before the next frame is read, so the caller can take the
   * socket over without missing one.
   */
  authenticated(peer: ReplicaId, cipher: FrameCipher): void
}

/**
 * Runs `handshake` on an open `ws` socket: sends HELLO, answers, and either hands the socket
 * over or closes it with the failure's code and reason. Both ends log a refusal: the one that
 * found it, and the one that was closed with it.
 */
export function runHandshake(ws: WebSocket, handshake: Handshake, ctx: HandshakeContext): void {
  let failed = false
  const refuse = (code: number, reason: string) => {
    failed = true
    ctx.log.warn({ remote: ctx.remote, code, reason }, 'LAN handshake refused')
    ws.close(code, closeReason(reason))
  }
  const onMessage = (data: Parameters<typeof toBytes>[0], isBinary: boolean) => {
    if (failed) return
    if (!isBinary) return refuse(CLOSE_MALFORMED, 'LAN handshake frames are binary')
    const step = handshake.receive(toBytes(data))
    if (step.reply) ws.send(step.reply)
    if (step.failure) return refuse(step.failure.code, step.failure.reason)
    if (step.peer !== undefined && step.cipher !== undefined) {
      finish()
      ctx.authenticated(step.peer, step.cipher)
    }
  }
  const onClose = (code: number, reason: Buffer) => {
    finish()
    if (!failed)
      ctx.log.warn(
        { remote: ctx.remote, code, reason: reason.toString() },
        'LAN handshake ended by the peer',
      )
  }
  const timer = setTimeout(
    () => refuse(CLOSE_HANDSHAKE_TIMEOUT, 'LAN handshake timed out'),
    ctx.timeoutMs ?? HANDSHAKE_TIMEOUT_MS,
  )
  const finish = () => {
    clearTimeout(timer)
    ws.off('message', onMessage)
    ws.off('close', onClose)
  }
  ws.on('message', onMessage)
  ws.on('close', onClose)
  ws.send(handshake.hello)
}

/**
 * Pings every `intervalMs` and drops the socket if the previous ping went unanswered: a peer
 * that vanished (a laptop asleep, a cable pulled) must not keep its link looking alive, or the
 * link that replaces it would be refused as a duplicate.
 */
export function keepAlive(ws: WebSocket, intervalMs: number): void {
  let answered = true
  ws.on('pong', () => (answered = true))
  const timer = setInterval(() => {
    if (!answered) {
      ws.terminate()
      return
    }
    answered = false
    ws.ping()
  }, intervalMs)
  timer.unref()
  ws.once('close', () => clearInterval(timer))
}

/**
 * A sealed frame's plain bytes, or null after closing the socket (4400) for a frame that is not
 * binary or fails authentication: a changed, replayed or reordered frame ends the link.
 */
export function openFrame(
  cipher: FrameCipher,
  data: Parameters<typeof toBytes>[0],
  isBinary: boolean,
  ws: WebSocket,
): Uint8Array | null {
  try {
    if (!isBinary) throw new Error('LAN frames are binary')
    return cipher.open(toBytes(data))
  } catch (err) {
    ws.close(CLOSE_MALFORMED, closeReason((err as Error).message))
    return null
  }
}
