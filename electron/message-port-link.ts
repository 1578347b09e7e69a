import { linkId, randomId } from '../shared/ids'
import { LinkBase } from '../shared/sync/link-base'
import { DEFAULT_LIMITS } from '../sync-server/net/limits'

/** The slice of Electron's MessagePortMain a link needs; tests pass Node's MessagePort wrapped. */
export interface PortMain {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown
  on(event: 'close', listener: () => void): unknown
  start(): void
  postMessage(message: unknown): void
  close(): void
}

// The WebSocket close codes, so a window's link reports the same reasons a socket would.
export const CLOSE_NORMAL = 1000
export const CLOSE_GOING_AWAY = 1001
export const CLOSE_UNSUPPORTED = 1003
export const CLOSE_TOO_BIG = 1009

/**
 * A `Link` over one MessagePort between the main process and a window: open from the start,
 * closed once, by either end. Frames are Uint8Arrays, structured-cloned by Electron.
 */
export class MessagePortLink extends LinkBase {
  constructor(
    private readonly port: PortMain,
    private readonly maxFrameBytes = DEFAULT_LIMITS.maxFrameBytes,
  ) {
    super(linkId(randomId('port-')))
    port.on('message', ({ data }) => this.receive(data))
    port.on('close', () => this.markClosed({ code: CLOSE_GOING_AWAY, reason: 'window closed' }))
    this.open = true
    port.start()
  }

  send(frame: Uint8Array): void {
    if (!this.open) return
    // Structured clone copies a view's whole ArrayBuffer: a pooled Buffer would drag 8 KiB along.
    const whole = frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength
    this.port.postMessage(whole ? frame : frame.slice())
  }

  close(code = CLOSE_NORMAL, reason = ''): void {
    if (!this.open) return
    // MessagePortMain's 'close' fires only when the other end goes, so report ours first.
    this.markClosed({ code, reason })
    this.port.close()
  }

  private receive(data: unknown): void {
    if (!this.open) return
    const frame = toFrame(data)
    if (!frame) return this.close(CLOSE_UNSUPPORTED, 'Lattice frames are binary')
    if (frame.byteLength > this.maxFrameBytes)
      return this.close(CLOSE_TOO_BIG, `frame of ${frame.byteLength} bytes is over the limit`)
    this.frames.emit(frame)
  }
}

function toFrame(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return data
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return null
}
