import {
  NodeLinkRequestError,
  parseNodeLinkRequest,
  type NodeLinkResult,
  type NodeLinksStatus,
} from '../../shared/desktop/node-links'
import type { DocId } from '../../shared/ids'
import type { LanControl } from './lan-control'
import type { RelayUplink } from './relay-uplink'

/**
 * The node's links to other machines, as the Lab lists and switches them: the relay uplink and
 * each LAN peer, each behind its fault gate. Requests come from windows and are checked here.
 */
export class NodeLinks {
  constructor(
    private readonly uplink: RelayUplink,
    private readonly lan: LanControl,
  ) {}

  /** Every link with its fault; with `note`, how each peer's last ACK of it relates to ours. */
  status(note: DocId | null = null): NodeLinksStatus {
    const relay = this.uplink.linkStatus(note)
    return {
      links: [...(relay ? [relay] : []), ...this.lan.linkStatuses(note)],
      lanOn: this.lan.status().on,
    }
  }

  /** Sets one link's fault; a bad request or an unknown link comes back as `ok: false`. */
  request(input: unknown): NodeLinkResult {
    try {
      const { link, fault } = parseNodeLinkRequest(input)
      const done =
        link === 'relay' ? this.uplink.setFault(fault) : this.lan.setFault(link.slice(4), fault)
      if (!done) throw new NodeLinkRequestError(`this node has no link ${link}`)
      return { ok: true, status: this.status() }
    } catch (err) {
      if (err instanceof NodeLinkRequestError) return { ok: false, error: err.message }
      throw err
    }
  }
}
