import WebSocket from 'ws'
import type { ReplicaId } from '../../shared/ids'
import type { Dial } from '../../shared/sync/dialer-link'
import { closeReason } from '../net/limits'
import type { Logger } from '../ops/logger'
import { Handshake } from './handshake'
import type { WorkspaceKeys } from './workspace'
import type { FrameCipher } from './frame-cipher'
import { HANDSHAKE_TIMEOUT_MS, keepAlive, openFrame, runHandshake } from './lan-socket'
import type { AdmitResult } from './link-registry'

export interface LanDialOptions {
  keys: WorkspaceKeys
  self: ReplicaId
  log: Logger
  keepAliveMs: number
  /**
   * The handshake proved `peer`: may this connection carry a session? Returns how to report its
   * end, or a close (code, reason) to end it with instead (a duplicate link).
   */
  admit(peer: ReplicaId, close: (code: number, reason: string) => void): AdmitResult
}

/**
 * A `Dial` for `DialerLink` that proves the workspace secret (handshake.ts) before it reports
 * the socket open, so the dialer's session never starts with a peer that has not proved it.
 */
export function lanDial(opts: LanDialOptions): Dial {
  return (url, _token, on) => {
    const ws = new WebSocket(url, { handshakeTimeout: HANDSHAKE_TIMEOUT_MS })
    ws.binaryType = 'nodebuffer'
    let error = ''
    let cipher: FrameCipher | null = null
    let ended: (() => void) | null = null
    ws.on('open', () => {
      keepAlive(ws, opts.keepAliveMs)
      runHandshake(ws, new Handshake({ keys: opts.keys, self: opts.self, role: 'dialer' }), {
        log: opts.log,
        remote: url,
        authenticated(peer, sealing) {
          const admitted = opts.admit(peer, (code, reason) => ws.close(code, closeReason(reason)))
          if (!admitted.ok) {
            ws.close(admitted.code, closeReason(admitted.reason))
            return
          }
          ended = admitted.ended
          cipher = sealing
          on.open()
        },
      })
    })
    ws.on('message', (data, isBinary) => {
      if (!cipher) return
      const frame = openFrame(cipher, data, isBinary, ws)
      if (frame) on.message(frame, true)
    })
    // 'error' is always followed by 'close'; keep its text for the close reason.
    ws.on('error', (err) => (error = err.message))
    ws.on('close', (code, reason) => {
      ended?.()
      on.close(code, reason.toString() || error)
    })
    return {
      send: (frame) => {
        if (cipher && ws.readyState === WebSocket.OPEN) ws.send(cipher.seal(frame))
      },
      close: (code, reason) => ws.close(code, closeReason(reason)),
    }
  }
}
