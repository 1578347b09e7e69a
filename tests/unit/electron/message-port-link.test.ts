import { afterEach, describe, expect, it } from 'vitest'
import { NodeBridge } from '../../../electron/node-bridge'
import {
  CLOSE_GOING_AWAY,
  CLOSE_TOO_BIG,
  CLOSE_UNSUPPORTED,
  MessagePortLink,
} from '../../../electron/message-port-link'
import { ENGINES } from '../../../shared/engine/types'
import { docId, replicaId } from '../../../shared/ids'
import type { CloseInfo } from '../../../shared/sync/link'
import { Replica } from '../../../shared/sync/replica'
import { LatticeNode } from '../../../sync-server/node/lattice-node'
import { MemoryDocStore } from '../../../sync-server/storage/memory-store'
import { FakeMessageChannelMain, type FakePortMain } from './fake-electron'
import { until } from './until'

const ports: FakePortMain[] = []
function channel(): FakeMessageChannelMain {
  const c = new FakeMessageChannelMain()
  ports.push(c.port1, c.port2)
  return c
}

afterEach(() => {
  for (const p of ports.splice(0)) p.close()
})

describe('MessagePortLink', () => {
  for (const engine of ENGINES)
    it(`carries the sync protocol: a window and the node converge on a ${engine} note both ways`, async () => {
      const node = await LatticeNode.open({ store: new MemoryDocStore() })
      const bridge = new NodeBridge(node.replica, channel)
      const win = new Replica({ id: replicaId('window-1'), mode: 'partial' })
      win.attach(new MessagePortLink(bridge.connect(1)))
      const id = docId(`note-${engine}`)

      win.open(id, engine).insert(0, 'typed in the window')
      await until(() => node.replica.getDoc(id)?.text() === 'typed in the window', 'node has it')
      const onNode = await node.retain(id, engine)
      onNode.insert(onNode.text().length, ', answered by the node')
      await until(
        () => win.getDoc(id)?.text() === 'typed in the window, answered by the node',
        'window has the reply',
      )
      node.release(id)
      bridge.closeAll()
      await node.close()
    })

  it('closes with 1003 on a message that is not binary, and with 1009 on an oversized frame', async () => {
    for (const [message, code] of [
      ['a string', CLOSE_UNSUPPORTED],
      [{ not: 'bytes' }, CLOSE_UNSUPPORTED],
      [new Uint8Array(65), CLOSE_TOO_BIG],
    ] as const) {
      const { port1, port2 } = channel()
      const link = new MessagePortLink(port1, 64)
      const closed = new Promise<CloseInfo>((resolve) => link.onClose(resolve))
      port2.postMessage(message)
      expect((await closed).code).toBe(code)
      expect(link.isOpen).toBe(false)
    }
  })

  it('delivers frames as bytes, and sends a view of a larger buffer as just its own bytes', async () => {
    const { port1, port2 } = channel()
    const a = new MessagePortLink(port1)
    const b = new MessagePortLink(port2)
    const got: Uint8Array[] = []
    b.onFrame((f) => got.push(f))
    const big = new Uint8Array(8192).map((_, i) => i % 251)
    a.send(big.subarray(100, 104))
    a.send(new Uint8Array([1, 2, 3]).buffer as unknown as Uint8Array) // an ArrayBuffer arrives too
    await until(() => got.length === 2, 'two frames arrive')
    expect([...(got[0] as Uint8Array)]).toEqual([100, 101, 102, 103])
    expect((got[0] as Uint8Array).buffer.byteLength).toBe(4)
    expect([...(got[1] as Uint8Array)]).toEqual([1, 2, 3])
  })

  it('reports the window going away when the far end closes, and sends nothing after', async () => {
    const { port1, port2 } = channel()
    const link = new MessagePortLink(port1)
    const closed = new Promise<CloseInfo>((resolve) => link.onClose(resolve))
    port2.close()
    expect(await closed).toEqual({ code: CLOSE_GOING_AWAY, reason: 'window closed' })
    expect(() => link.send(new Uint8Array([1]))).not.toThrow()
  })
})

describe('NodeBridge', () => {
  it('gives a window a link per connect (its own and its Lab replicas), capped, all closed with it', async () => {
    const node = await LatticeNode.open({ store: new MemoryDocStore() })
    const bridge = new NodeBridge(node.replica, channel, 3)
    const links = [1, 2, 3].map(() => new MessagePortLink(bridge.connect(7)))
    const other = new MessagePortLink(bridge.connect(8))
    expect(bridge.connected).toBe(4)
    expect(node.replica.links).toHaveLength(4)
    // A fourth from the same window (a page reloading over and over): the oldest goes.
    const oldestClosed = new Promise<CloseInfo>((resolve) => links[0]?.onClose(resolve))
    new MessagePortLink(bridge.connect(7))
    expect((await oldestClosed).code).toBe(CLOSE_GOING_AWAY)
    expect(bridge.connected).toBe(4)

    bridge.disconnect(7)
    expect(bridge.connected).toBe(1)
    expect(node.replica.links).toHaveLength(1)
    expect(other.isOpen).toBe(true)
    bridge.closeAll()
    expect(node.replica.links).toHaveLength(0)
    await node.close()
  })
})
