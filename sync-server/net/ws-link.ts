import type { RawData, WebSocket } from 'ws'
import type { LinkId } from '../../shared/ids'
import { LinkBase } from '../../shared/sync/link-base'
import { closeReason } from './limits'

export function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

/** A `Link` over one WebSocket connection: it opens once and closes once. */
export class WebSocketLink extends LinkBase {
  constructor(
    id: LinkId,
    private readonly ws: WebSocket,
  ) {
    super(id)
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        this.close(1003, 'Lattice frames are binary')
        return
      }
      this.frames.emit(toBytes(data))
    })
    ws.on('close', (code, reason) => this.markClosed({ code, reason: reason.toString() }))
    if (ws.readyState === ws.OPEN) this.open = true
    else ws.once('open', () => this.markOpen())
  }

  send(frame: Uint8Array): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(frame)
  }

  close(code = 1000, reason = ''): void {
    this.ws.close(code, closeReason(reason))
  }
}
