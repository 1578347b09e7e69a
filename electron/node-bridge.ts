import type { Link } from '../shared/sync/link'
import type { Unsubscribe } from '../shared/util/emitter'
import { CLOSE_GOING_AWAY, MessagePortLink, type PortMain } from './message-port-link'

/** What `new MessageChannelMain()` gives: our end, and the end that goes to the window. */
export interface PortPair<Remote> {
  readonly port1: PortMain
  readonly port2: Remote
}

/**
 * MessagePort links from the node to each window: its own, plus one per Lab replica it runs.
 * Past `maxPerWindow` (a page that reloads over and over) the oldest link closes; a link
 * detaches from the node when it closes, and all of a window's close with the window.
 */
export class NodeBridge<Remote> {
  private readonly links = new Map<number, MessagePortLink[]>()

  constructor(
    private readonly replica: { attach(link: Link): Unsubscribe },
    private readonly newChannel: () => PortPair<Remote>,
    private readonly maxPerWindow = 8,
  ) {}

  /** A new link for window `windowId`, attached to the node; returns the port for the window. */
  connect(windowId: number): Remote {
    const mine = this.links.get(windowId) ?? []
    this.links.set(windowId, mine)
    while (mine.length >= this.maxPerWindow)
      mine.shift()?.close(CLOSE_GOING_AWAY, 'too many connections from one window')
    const { port1, port2 } = this.newChannel()
    const link = new MessagePortLink(port1)
    const detach = this.replica.attach(link)
    link.onClose(() => {
      detach()
      const i = mine.indexOf(link)
      if (i >= 0) mine.splice(i, 1)
      if (mine.length === 0 && this.links.get(windowId) === mine) this.links.delete(windowId)
    })
    mine.push(link)
    return port2
  }

  disconnect(windowId: number, reason = 'window closed'): void {
    for (const link of [...(this.links.get(windowId) ?? [])]) link.close(CLOSE_GOING_AWAY, reason)
  }

  closeAll(reason = 'app quitting'): void {
    for (const id of [...this.links.keys()]) this.disconnect(id, reason)
  }

  get connected(): number {
    let n = 0
    for (const l of this.links.values()) n += l.length
    return n
  }
}
