import type { ReplicaId } from '../../shared/ids'
import { Emitter, type Unsubscribe } from '../../shared/util/emitter'
import type { Logger } from '../ops/logger'

/** One link per pair of nodes: a duplicate is closed with this. */
export const CLOSE_DUPLICATE = 4410

export type AdmitResult =
  | { readonly ok: true; /** Call once when the link closes. */ readonly ended: () => void }
  | { readonly ok: false; readonly code: number; readonly reason: string }

interface Link {
  readonly dialedBy: ReplicaId
  close(code: number, reason: string): void
}

/**
 * A node's authenticated LAN links by peer, keeping one per pair. When each end dialed the
 * other, both ends keep the link the smaller node id dialed: they agree without a word, whatever
 * order the handshakes finished in. Two links dialed by the same node are either two of this
 * node's own dialers reaching one peer (the second is refused) or the peer dialing again after
 * its old link died unnoticed (both are kept until the old one closes: refusing the new one
 * could leave only a dead link).
 */
export class LinkRegistry {
  private readonly links = new Map<ReplicaId, Set<Link>>()
  private readonly changes = new Emitter<void>()

  constructor(
    private readonly self: ReplicaId,
    private readonly log: Logger,
    /** The last link to `peer` closed. */
    private readonly allClosed: (peer: ReplicaId) => void,
  ) {}

  get peers(): ReplicaId[] {
    return [...this.links.keys()]
  }

  get count(): number {
    let n = 0
    for (const set of this.links.values()) n += set.size
    return n
  }

  has(peer: ReplicaId): boolean {
    return this.links.has(peer)
  }

  onChange(listener: () => void): Unsubscribe {
    return this.changes.on(listener)
  }

  /** Registers a link that `dialedBy` dialed, unless it duplicates one; may close another. */
  admit(
    peer: ReplicaId,
    dialedBy: ReplicaId,
    close: (code: number, reason: string) => void,
  ): AdmitResult {
    const set = this.links.get(peer) ?? new Set<Link>()
    const reason = `duplicate link: ${this.self} and ${peer} are already linked`
    const duplicate = { ok: false, code: CLOSE_DUPLICATE, reason } as const
    for (const other of set) {
      if (other.dialedBy === dialedBy) {
        if (dialedBy === this.self) return duplicate
        continue
      }
      if (dialedBy > other.dialedBy) return duplicate
      other.close(CLOSE_DUPLICATE, reason)
    }
    const link: Link = { dialedBy, close }
    set.add(link)
    this.links.set(peer, set)
    const direction = dialedBy === this.self ? 'out' : 'in'
    this.log.info({ peer, direction }, 'LAN peer connected')
    this.changes.emit()
    let ended = false
    return {
      ok: true,
      ended: () => {
        if (ended) return
        ended = true
        set.delete(link)
        this.log.info({ peer, direction }, 'LAN peer disconnected')
        if (set.size === 0 && this.links.get(peer) === set) {
          this.links.delete(peer)
          this.allClosed(peer)
        }
        this.changes.emit()
      },
    }
  }
}
