import type { LabWorld } from './lab-world'

/** Re-renders the Lab at most once a frame, however many events arrive. */
export class LabView {
  tick = $state(0)
  selected = $state<number | null>(null)
  private queued = false

  constructor(readonly world: LabWorld) {
    world.onChange(() => {
      if (this.queued) return
      this.queued = true
      requestAnimationFrame(() => {
        this.queued = false
        this.tick++
      })
    })
  }
}
