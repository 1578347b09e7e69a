import { linkId } from '../ids'
import type { CloseInfo, Scheduler } from './link'
import { LinkBase } from './link-base'

/** One end of an in-memory pair; frames arrive asynchronously through the scheduler. */
class MemoryEnd extends LinkBase {
  peer: MemoryEnd | null = null
  epoch = 0

  constructor(
    id: string,
    private readonly scheduler: Scheduler,
    private readonly pair: MemoryLinkPair,
  ) {
    super(linkId(id))
  }

  send(frame: Uint8Array): void {
    const peer = this.peer
    if (!this.open || !peer) return
    const epoch = this.epoch
    this.scheduler.after(0, () => {
      if (peer.open && peer.epoch === epoch) peer.deliver(frame)
    })
  }

  deliver(frame: Uint8Array): void {
    this.frames.emit(frame)
  }

  close(code = 1000, reason = 'closed'): void {
    this.pair.disconnect({ code, reason })
  }

  setOpen(open: boolean, info: CloseInfo): void {
    this.epoch++
    if (open) this.markOpen()
    else this.markClosed(info)
  }
}

/** Two connected link ends, disconnectable and reconnectable, as a dialer would do. */
export class MemoryLinkPair {
  readonly a: MemoryEnd
  readonly b: MemoryEnd

  constructor(name: string, scheduler: Scheduler) {
    this.a = new MemoryEnd(`${name}.a`, scheduler, this)
    this.b = new MemoryEnd(`${name}.b`, scheduler, this)
    this.a.peer = this.b
    this.b.peer = this.a
  }

  get isConnected(): boolean {
    return this.a.isOpen
  }

  connect(): void {
    if (this.a.isOpen) return
    this.a.setOpen(true, { code: 1000, reason: '' })
    this.b.setOpen(true, { code: 1000, reason: '' })
  }

  disconnect(info: CloseInfo = { code: 1000, reason: 'closed' }): void {
    if (!this.a.isOpen) return
    this.a.setOpen(false, info)
    this.b.setOpen(false, info)
  }
}

export type { MemoryEnd }
