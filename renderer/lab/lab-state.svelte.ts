import type { LabWorld } from '../../shared/lab/lab-world'
import type { Unsubscribe } from '../../shared/util/emitter'
import type { NodeControl } from '../sync/node-control'
import type { NodeAccess } from './node-lab'

/**
 * What the Lab panel shows: the live world on this note, or a scratch world a preset or a
 * replay runs in. Re-renders at most once a frame, however many events arrive.
 */
export class LabView {
  tick = $state(0)
  selected = $state<number | null>(null)
  world: LabWorld
  /** What a scratch world is showing; null while the panel shows the live note. */
  label = $state<string | null>(null)
  private queued = false
  private off: Unsubscribe

  constructor(
    readonly live: LabWorld,
    readonly node: NodeAccess,
    /** The switches of the node's own links (to its relay, its LAN peers). */
    readonly control: NodeControl,
    /** The Lab has a window of its own (a `?lab=` page). */
    readonly standalone = false,
  ) {
    this.world = $state.raw(live)
    this.off = this.listen(live)
  }

  private listen(world: LabWorld): Unsubscribe {
    return world.onChange(() => {
      if (this.queued) return
      this.queued = true
      requestAnimationFrame(() => {
        this.queued = false
        this.tick++
      })
    })
  }

  /** Shows `world` (a scratch one when `label` is set); the scratch world shown before goes. */
  show(world: LabWorld, label: string | null): void {
    if (world === this.world) return
    this.off()
    if (this.world !== this.live) this.world.destroy()
    this.world = world
    this.label = label
    this.selected = null
    this.off = this.listen(world)
    this.tick++
  }

  destroy(): void {
    this.off()
    if (this.world !== this.live) this.world.destroy()
    this.live.destroy()
  }
}
