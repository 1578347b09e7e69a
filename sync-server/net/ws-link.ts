import type { RawData, WebSocket } from 'ws'
import type { LinkId } from '../../shared/ids'
import { LinkBase } from '../../shared/sync/link-base'
import { closeReason } from './limits'

export function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

/** Seals frames on their way out and opens them on their way in (the LAN's frame cipher). */
export interface FrameCodec {
  seal(frame: Uint8Array): Uint8Array
  /** Throws for a frame that fails authentication. */
  open(frame: Uint8Array): Uint8Array
}

/** Closes a link whose peer sent a frame that does not open. */
const CLOSE_UNOPENED = 4400

/** A `Link` over one WebSocket connection: it opens once and closes once. */
export class WebSocketLink extends LinkBase {
  constructor(
    id: LinkId,
    private readonly ws: WebSocket,
    private readonly codec: FrameCodec | null = null,
  ) {
    super(id)
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        this.close(1003, 'Lattice frames are binary')
        return
      }
      let frame = toBytes(data)
      if (codec) {
        try {
          frame = codec.open(frame)
        } catch (err) {
          this.close(CLOSE_UNOPENED, (err as Error).message)
          return
        }
      }
      this.frames.emit(frame)
    })
    ws.on('close', (code, reason) => this.markClosed({ code, reason: reason.toString() }))
    if (ws.readyState === ws.OPEN) this.open = true
    else ws.once('open', () => this.markOpen())
  }

  send(frame: Uint8Array): void {
    if (this.ws.readyState === this.ws.OPEN)
      this.ws.send(this.codec ? this.codec.seal(frame) : frame)
  }

  close(code = 1000, reason = ''): void {
    this.ws.close(code, closeReason(reason))
  }
}
