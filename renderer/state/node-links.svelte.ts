import {
  NO_NODE_LINKS,
  type LinkFault,
  type NodeLinkKey,
  type NodeLinksStatus,
} from '../../shared/desktop/node-links'
import type { NodeControl } from '../sync/node-control'

const POLL_MS = 1000

/**
 * The node's links to other machines as the Lab shows them (polled while shown), and their
 * switches: each click asks the node to set the link's fault, and shows what the node says.
 */
export class NodeLinksState {
  status = $state.raw<NodeLinksStatus>(NO_NODE_LINKS)
  error = $state<string | null>(null)
  private readonly timer: ReturnType<typeof setInterval>

  constructor(
    private readonly control: NodeControl,
    /** The note whose version each peer's ACKs are related to. */
    private readonly note: string,
  ) {
    void this.refresh()
    this.timer = setInterval(() => void this.refresh(), POLL_MS)
  }

  async refresh(): Promise<void> {
    try {
      this.status = await this.control.nodeLinks(this.note)
    } catch {
      // The node is unreachable; the window's own status says so.
    }
  }

  async set(link: NodeLinkKey, fault: LinkFault): Promise<void> {
    this.error = null
    try {
      const result = await this.control.setNodeLinkFault({ link, fault })
      if (!result.ok) this.error = result.error
      await this.refresh()
    } catch (err) {
      this.error = `could not reach this machine's node: ${(err as Error).message}`
    }
  }

  stop(): void {
    clearInterval(this.timer)
  }
}
