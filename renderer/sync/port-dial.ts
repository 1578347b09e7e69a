import { PORT_MESSAGE, type DesktopApi } from '../../shared/desktop/api'
import type { Dial } from '../../shared/sync/dialer-link'

/**
 * The node in Electron's main process, over a MessagePort the preload hands the page after
 * `connect()`. Browsers fire no event when the other end of a port goes away, except recent
 * Chromium's 'close', which Electron has; main also closes its end when the node stops.
 */
export function portDial(api: DesktopApi): Dial {
  return (_url, _token, on) => {
    let port: MessagePort | null = null
    let ended = false
    const end = (code: number, reason: string) => {
      if (ended) return
      ended = true
      window.removeEventListener('message', receivePort)
      port?.close()
      on.close(code, reason)
    }
    const receivePort = (e: MessageEvent) => {
      if (e.source !== window || (e.data as { type?: unknown })?.type !== PORT_MESSAGE) return
      const got = e.ports[0]
      if (!got || port) return
      window.removeEventListener('message', receivePort)
      port = got
      port.onmessage = (m: MessageEvent) => {
        const data = m.data as unknown
        if (data instanceof Uint8Array) on.message(data, true)
        else if (data instanceof ArrayBuffer) on.message(new Uint8Array(data), true)
        else on.message(new Uint8Array(), false)
      }
      port.addEventListener('close', () => end(1006, 'the app closed the connection'))
      port.start()
      on.open()
    }
    window.addEventListener('message', receivePort)
    api.connect()
    return {
      send(frame) {
        port?.postMessage(frame)
      },
      close(code, reason) {
        queueMicrotask(() => end(code, reason))
      },
    }
  }
}
