import { NOTEBOOK_ID } from '../../shared/notebook/notebook'
import { relayAwarenessToWindows } from './awareness-relay'
import { LatticeNode, type LatticeNodeOptions } from './lattice-node'

/**
 * The node as the desktop app, the browser host and the relay run it: the notebook kept in
 * memory (every window opens it first), and windows' cursors passed between them.
 */
export async function openMachineNode(opts: LatticeNodeOptions): Promise<LatticeNode> {
  const node = await LatticeNode.open(opts)
  await node.retain(NOTEBOOK_ID, 'yjs')
  relayAwarenessToWindows(node.replica)
  return node
}
