import type { LinkId } from '../ids'
import { Emitter } from '../util/emitter'
import type { CloseInfo, Link } from './link'

/** The event plumbing every Link implementation shares. */
export abstract class LinkBase implements Link {
  protected readonly frames = new Emitter<Uint8Array>()
  protected readonly opens = new Emitter<void>()
  protected readonly closes = new Emitter<CloseInfo>()
  protected open = false

  constructor(readonly id: LinkId) {}

  get isOpen(): boolean {
    return this.open
  }

  abstract send(frame: Uint8Array): void
  abstract close(code?: number, reason?: string): void

  onFrame(listener: (frame: Uint8Array) => void) {
    return this.frames.on(listener)
  }

  onOpen(listener: () => void) {
    return this.opens.on(listener)
  }

  onClose(listener: (info: CloseInfo) => void) {
    return this.closes.on(listener)
  }

  protected markOpen(): void {
    if (this.open) return
    this.open = true
    this.opens.emit()
  }

  protected markClosed(info: CloseInfo): void {
    if (!this.open) return
    this.open = false
    this.closes.emit(info)
  }
}
