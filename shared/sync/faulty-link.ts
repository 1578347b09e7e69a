import { Emitter } from '../util/emitter'
import type { Rng } from '../util/rng'
import type { Link, Scheduler } from './link'
import { LinkBase } from './link-base'

/** Faults for one direction of a link. Probabilities are per frame, in [0, 1]. */
export interface DirectionFaults {
  blocked: boolean
  loss: number
  duplicate: number
  reorder: number
  delayMs: number
  jitterMs: number
}

export type Direction = 'out' | 'in'

export const CLEAN: Readonly<DirectionFaults> = {
  blocked: false,
  loss: 0,
  duplicate: 0,
  reorder: 0,
  delayMs: 0,
  jitterMs: 0,
}

export interface FaultEvent {
  readonly direction: Direction
  readonly kind: 'delivered' | 'dropped' | 'duplicated' | 'reordered' | 'bounced'
  readonly bytes: number
}

export interface FaultyLinkOptions {
  rng: Rng
  scheduler: Scheduler
  /**
   * Restart the connection so both sides resync after frames were lost. Default: close the
   * inner link and let whoever dialed it reconnect.
   */
  bounce?: () => void
}

/**
 * A `Link` wrapper with seeded, scriptable delay, loss, duplication, reordering and one- or
 * two-way partitions. A frame lost while the link stays up is repaired on `heal()`: the link
 * bounces and the fresh session's anti-entropy sends what the peer lacks.
 */
export class FaultyLink extends LinkBase {
  readonly events = new Emitter<FaultEvent>()
  private readonly faults: Record<Direction, DirectionFaults> = {
    out: { ...CLEAN },
    in: { ...CLEAN },
  }
  private readonly lastAt: Record<Direction, number> = { out: 0, in: 0 }
  private epoch = 0
  private lostSinceOpen = false

  constructor(
    readonly inner: Link,
    private readonly opts: FaultyLinkOptions,
  ) {
    super(inner.id)
    inner.onOpen(() => {
      this.epoch++
      this.lastAt.out = this.lastAt.in = opts.scheduler.now()
      this.lostSinceOpen = false
      this.markOpen()
    })
    inner.onClose((info) => {
      this.epoch++
      this.markClosed(info)
    })
    inner.onFrame((frame) => this.route('in', frame))
    if (inner.isOpen) this.markOpen()
  }

  get settings(): Readonly<Record<Direction, Readonly<DirectionFaults>>> {
    return this.faults
  }

  /** True when frames were lost since the connection opened: heal will bounce it. */
  get needsResync(): boolean {
    return this.lostSinceOpen
  }

  set(direction: Direction | 'both', faults: Partial<DirectionFaults>): void {
    for (const d of direction === 'both' ? (['out', 'in'] as const) : [direction]) {
      Object.assign(this.faults[d], faults)
    }
  }

  cut(direction: Direction | 'both' = 'both'): void {
    this.set(direction, { blocked: true })
  }

  /** Clears every fault; if anything was lost meanwhile, restarts the session to resync. */
  heal(): void {
    this.faults.out = { ...CLEAN }
    this.faults.in = { ...CLEAN }
    if (this.lostSinceOpen && this.open) {
      this.lostSinceOpen = false
      this.events.emit({ direction: 'out', kind: 'bounced', bytes: 0 })
      if (this.opts.bounce) this.opts.bounce()
      else this.inner.close(4000, 'resync after faults')
    }
  }

  send(frame: Uint8Array): void {
    if (this.open) this.route('out', frame)
  }

  close(code?: number, reason?: string): void {
    this.inner.close(code, reason)
  }

  private route(direction: Direction, frame: Uint8Array): void {
    const f = this.faults[direction]
    const { rng } = this.opts
    if (f.blocked || (f.loss > 0 && rng.chance(f.loss))) {
      this.lostSinceOpen = true
      this.events.emit({ direction, kind: 'dropped', bytes: frame.length })
      return
    }
    const copies = f.duplicate > 0 && rng.chance(f.duplicate) ? 2 : 1
    if (copies === 2) this.events.emit({ direction, kind: 'duplicated', bytes: frame.length })
    for (let i = 0; i < copies; i++) {
      // A clean link still queues behind frames delayed before it healed: no overtaking.
      const clean = f.delayMs === 0 && f.jitterMs === 0 && f.reorder === 0
      if (clean && this.lastAt[direction] <= this.opts.scheduler.now())
        this.deliver(direction, frame)
      else this.schedule(direction, frame, f)
    }
  }

  private schedule(direction: Direction, frame: Uint8Array, f: DirectionFaults): void {
    const { rng, scheduler } = this.opts
    const now = scheduler.now()
    let at = now + f.delayMs + (f.jitterMs > 0 ? rng.next() * f.jitterMs : 0)
    if (f.reorder > 0 && rng.chance(f.reorder)) {
      at += f.delayMs + f.jitterMs + 1 + rng.next() * 10
      this.events.emit({ direction, kind: 'reordered', bytes: frame.length })
    } else {
      at = Math.max(at, this.lastAt[direction])
    }
    this.lastAt[direction] = Math.max(at, this.lastAt[direction])
    const epoch = this.epoch
    scheduler.after(at - now, () => {
      if (epoch === this.epoch && this.open) this.deliver(direction, frame)
    })
  }

  private deliver(direction: Direction, frame: Uint8Array): void {
    this.events.emit({ direction, kind: 'delivered', bytes: frame.length })
    if (direction === 'out') this.inner.send(frame)
    else this.frames.emit(frame)
  }
}
