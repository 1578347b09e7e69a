import type { NoteDoc } from '../../shared/engine/types'
import type { DocId, LinkId } from '../../shared/ids'
import { Emitter, type Unsubscribe } from '../../shared/util/emitter'
import { compare, type Relation } from '../../shared/vv/version-vector'
import type { LatticeNode } from './lattice-node'

/**
 * Which notes each durable peer (the relay, a LAN machine) still lacks of what changed here,
 * from its acknowledgements, not from timers: a note is pending for a peer from a change that
 * did not come from that peer until the peer ACKs a version holding every edit of the note.
 * Peers are named by a key (a node id, 'relay') that outlives their links.
 */
export class PendingAcks {
  private readonly pending = new Map<string, Set<DocId>>()
  /** Per peer and note, the version the peer last acknowledged (as the ACK encoded it). */
  private readonly acked = new Map<string, Map<DocId, Uint8Array>>()
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
        if (key !== null) this.acked.get(key)?.set(e.doc, e.version)
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
    if (!this.acked.has(key)) this.acked.set(key, new Map())
  }

  untrack(key: string): void {
    this.acked.delete(key)
    if (this.pending.delete(key)) this.changed.emit()
  }

  /**
   * How the version `key` last acknowledged of a note relates to this node's copy; null
   * without an ACK of it or with the note out of memory.
   */
  relation(key: string, id: DocId): Relation | null {
    const version = this.acked.get(key)?.get(id)
    const doc = this.node.replica.getDoc(id)
    if (!version || !doc) return null
    return compare(doc.versionAt(version), doc.version())
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
