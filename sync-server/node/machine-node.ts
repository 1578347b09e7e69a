import { NOTEBOOK_ID } from '../../shared/notebook/notebook'
import { relayAwarenessToWindows } from './awareness-relay'
import { LatticeNode, type LatticeNodeOptions } from './lattice-node'

/**
 * The node as the desktop app, the browser host and the relay run it: windows' cursors passed
 * between them, and where windows open it (`forWindows`), the notebook kept in memory, since
 * every window opens it first.
 */
export async function openMachineNode(
  opts: LatticeNodeOptions & { forWindows: boolean },
): Promise<LatticeNode> {
  const node = await LatticeNode.open(opts)
  if (opts.forWindows) await node.retain(NOTEBOOK_ID, 'yjs')
  relayAwarenessToWindows(node.replica)
  return node
}
