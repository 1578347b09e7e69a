export type Unsubscribe = () => void

/** Minimal typed event source; every subscribe returns its unsubscribe. */
export class Emitter<T> {
  private listeners: Array<(value: T) => void> = []

  get size(): number {
    return this.listeners.length
  }

  on(listener: (value: T) => void): Unsubscribe {
    this.listeners = [...this.listeners, listener]
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener)
    }
  }

  emit(value: T): void {
    for (const l of this.listeners) l(value)
  }
}
