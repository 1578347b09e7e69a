import type { Link } from '../shared/sync/link'
import type { Unsubscribe } from '../shared/util/emitter'
import { CLOSE_GOING_AWAY, MessagePortLink, type PortMain } from './message-port-link'

/** What `new MessageChannelMain()` gives: our end, and the end that goes to the window. */
export interface PortPair<Remote> {
  readonly port1: PortMain
  readonly port2: Remote
}

/**
 * One MessagePort link from the node to each window. A window that connects again (a reload)
 * gets a fresh port and its old link closes; a link detaches from the node when it closes.
 */
export class NodeBridge<Remote> {
  private readonly links = new Map<number, MessagePortLink>()

  constructor(
    private readonly replica: { attach(link: Link): Unsubscribe },
    private readonly newChannel: () => PortPair<Remote>,
  ) {}

  /** A new link for window `windowId`, attached to the node; returns the port for the window. */
  connect(windowId: number): Remote {
    this.disconnect(windowId, 'window reconnected')
    const { port1, port2 } = this.newChannel()
    const link = new MessagePortLink(port1)
    const detach = this.replica.attach(link)
    link.onClose(() => {
      detach()
      if (this.links.get(windowId) === link) this.links.delete(windowId)
    })
    this.links.set(windowId, link)
    return port2
  }

  disconnect(windowId: number, reason = 'window closed'): void {
    this.links.get(windowId)?.close(CLOSE_GOING_AWAY, reason)
  }

  closeAll(reason = 'app quitting'): void {
    for (const id of [...this.links.keys()]) this.disconnect(id, reason)
  }

  get connected(): number {
    return this.links.size
  }
}
