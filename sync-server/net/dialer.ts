import WebSocket from 'ws'
import {
  DialerLink as BaseDialerLink,
  type Dial,
  type DialerOptions,
} from '../../shared/sync/dialer-link'
import { closeReason } from './limits'
import { toBytes } from './ws-link'

export * from '../../shared/sync/dialer-link'

const HANDSHAKE_TIMEOUT_MS = 10_000

/** The production `Dial`: a `ws` client socket. */
export const wsDial: Dial = (url, token, on) => {
  const ws = new WebSocket(url, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
  })
  ws.binaryType = 'nodebuffer'
  let error = ''
  ws.on('open', () => on.open())
  ws.on('message', (data, isBinary) => on.message(toBytes(data), isBinary))
  // 'error' is always followed by 'close'; keep its text for the close reason.
  ws.on('error', (err) => (error = err.message))
  ws.on('close', (code, reason) => on.close(code, reason.toString() || error))
  return {
    send: (frame) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame)
    },
    close: (code, reason) => ws.close(sendableCode(code), closeReason(reason)),
  }
}

/** Codes a client may put in a close frame (RFC 6455 §7.4); anything else becomes 1000. */
function sendableCode(code: number): number {
  const ok =
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  return ok ? code : 1000
}

/** A `DialerLink` over `ws` sockets unless told otherwise; needs a ws:// or wss:// URL. */
export class DialerLink extends BaseDialerLink {
  constructor(opts: Omit<DialerOptions, 'dial'> & { dial?: Dial }) {
    if (!/^wss?:\/\//.test(opts.url))
      throw new Error(`DialerLink needs a ws:// or wss:// URL, got ${opts.url}`)
    super({ ...opts, dial: opts.dial ?? wsDial })
  }
}
