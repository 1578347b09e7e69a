import type { Dial } from '../../shared/sync/dialer-link'

/** Codes a browser may pass to `WebSocket.close`: 1000 or 3000–4999. */
const sendable = (code: number) => (code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000)

/**
 * The node's Lattice endpoint over the browser's WebSocket. Browsers cannot set headers on a
 * WebSocket, so a token travels as `?token=`.
 */
export const browserDial: Dial = (url, token, on) => {
  const full =
    token === undefined
      ? url
      : `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`
  const ws = new WebSocket(full)
  ws.binaryType = 'arraybuffer'
  ws.onopen = () => on.open()
  ws.onmessage = (e: MessageEvent) => {
    if (e.data instanceof ArrayBuffer) on.message(new Uint8Array(e.data), true)
    else on.message(new TextEncoder().encode(String(e.data)), false)
  }
  ws.onclose = (e: CloseEvent) => on.close(e.code, e.reason || 'connection lost')
  return {
    send(frame) {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame as Uint8Array<ArrayBuffer>)
    },
    close(code, reason) {
      ws.close(sendable(code), reason.slice(0, 120))
    },
  }
}

/** ws://host/lattice of the page's own origin (the browser host serves both). */
export function nodeUrlOf(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/lattice`
}
