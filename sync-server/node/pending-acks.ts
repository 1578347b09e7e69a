import type { NoteDoc } from '../../shared/engine/types'
import type { DocId, LinkId } from '../../shared/ids'
import { Emitter, type Unsubscribe } from '../../shared/util/emitter'
import type { LatticeNode } from './lattice-node'

/**
 * Which notes each durable peer (the relay, a LAN machine) still lacks of what changed here,
 * from its acknowledgements, not from timers: a note is pending for a peer from a change that
 * did not come from that peer until the peer ACKs a version holding every edit of the note.
 * Peers are named by a key (a node id, 'relay') that outlives their links.
 */
export class PendingAcks {
  private readonly pending = new Map<string, Set<DocId>>()
  private readonly changed = new Emitter<void>()
  private readonly offs: Unsubscribe[] = []

  /** `keyOf` names the peer at the end of a link, or null for links not tracked (windows). */
  constructor(
    private readonly node: LatticeNode,
    private readonly keyOf: (link: LinkId) => string | null,
  ) {
    this.offs.push(
      node.replica.events.on((e) => {
        if (e.type !== 'ack') return
        const key = this.keyOf(e.link.id)
        const doc = key === null ? undefined : node.replica.getDoc(e.doc)
        if (
          key !== null &&
          doc &&
          doc.unseenBy(e.version) === 0 &&
          this.pending.get(key)?.delete(e.doc)
        )
          this.changed.emit()
      }),
      node.replica.docAdded.on((doc) => this.watch(doc)),
    )
    for (const doc of node.replica.allDocs()) this.watch(doc)
  }

  /** Starts counting for `key` (nothing pending yet); a key already tracked is kept as it is. */
  track(key: string): void {
    if (!this.pending.has(key)) this.pending.set(key, new Set())
  }

  untrack(key: string): void {
    if (this.pending.delete(key)) this.changed.emit()
  }

  /** Notes `key` has not acknowledged since they changed here; 0 for an untracked key. */
  count(key: string): number {
    return this.pending.get(key)?.size ?? 0
  }

  onChange(listener: () => void): Unsubscribe {
    return this.changed.on(listener)
  }

  close(): void {
    for (const off of this.offs.splice(0)) off()
  }

  private watch(doc: NoteDoc): void {
    doc.onChange((change) => {
      // Loading a stored note is no change; it was stored before.
      if (this.pending.size === 0 || change.origin === 'load') return
      const from = change.origin === 'local' ? null : this.keyOf(change.origin)
      let grew = false
      for (const [key, docs] of this.pending)
        if (key !== from && !docs.has(doc.id)) {
          docs.add(doc.id)
          grew = true
        }
      if (grew) this.changed.emit()
    })
  }
}
