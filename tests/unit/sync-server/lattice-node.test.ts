import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { ClassicLevel } from 'classic-level'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { docId, type DocId } from '../../../shared/ids'
import { LatticeNode } from '../../../sync-server/node/lattice-node'
import { openLevelFixture, type LevelFixture } from './level-fixture'

const A = docId('note-a')
const B = docId('note-b')

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Heap in use after timers that still hold freed documents (write queues) have run. */
async function heapAfterGc(): Promise<number> {
  await new Promise((r) => setTimeout(r, 300))
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((r) => setImmediate(r))
  }
  return process.memoryUsage().heapUsed
}

describe('LatticeNode', () => {
  let fx: LevelFixture
  let node: LatticeNode | null = null

  beforeEach(async () => {
    fx = await openLevelFixture()
  })
  afterEach(async () => {
    await node?.close().catch(() => {})
    node = null
    await fx.dispose().catch(() => {})
  })

  it('opens past a damaged meta record, names that document, and serves the others', async () => {
    node = await LatticeNode.open({ store: fx.store })
    for (const [id, text] of [
      [A, 'kept apart'],
      [B, 'still served'],
    ] as const) {
      const doc = await node.retain(id, 'yjs')
      doc.insert(0, text)
      node.release(id)
    }
    await node.flush()
    await node.close()
    node = null
    // Damage note-a's meta record behind the store's back.
    const raw = new ClassicLevel<string, Uint8Array>(fx.dir, { valueEncoding: 'view' })
    const meta = (await raw.get(`m!${A}`)) as Uint8Array
    const bad = meta.slice()
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0xff
    await raw.put(`m!${A}`, bad)
    await raw.close()

    const store = await fx.reopen()
    node = await LatticeNode.open({ store })
    expect([...node.unreadableDocs.keys()]).toEqual([A])
    expect(node.unreadableDocs.get(A)?.message).toMatch(/corrupt record m!note-a/)
    expect((await node.retain(B, 'yjs')).text()).toBe('still served')
    await expect(node.retain(A, 'yjs')).rejects.toThrow(/note-a/)
    // Nothing was written over the damaged document.
    await node.close()
    node = null
    await raw.open()
    expect(await raw.get(`m!${A}`)).toEqual(bad)
    await raw.close()
    await fx.reopen()
  })

  it('unloads documents nobody uses, and the memory they held returns', async () => {
    node = await LatticeNode.open({ store: fx.store, unloadAfterMs: 1000 })
    const live = node
    // Many small edits at scattered places, so each document holds thousands of CRDT items.
    const fill = async (prefix: string) => {
      const ids = Array.from({ length: 100 }, (_, i) => docId(`${prefix}-${i}`))
      for (const id of ids) {
        const doc = await live.retain(id, 'yjs')
        for (let i = 0; i < 300; i++) doc.insert((i * 7919) % (doc.text().length + 1), `w${i} `)
      }
      await live.flush()
      return ids
    }
    // A first round warms up code and caches, so the baseline counts only documents.
    for (const id of await fill('warm')) live.release(id)
    await live.unloadIdle(Date.now() + 60_000)
    const before = await heapAfterGc()

    const ids = await fill('note')
    const loaded = await heapAfterGc()
    expect(live.loadedCount).toBe(100)
    // Held documents stay, however idle.
    expect(await live.unloadIdle(Date.now() + 60_000)).toBe(0)
    const text7 = (await live.retain(ids[7] as DocId, 'yjs')).text()
    live.release(ids[7] as DocId)
    for (const id of ids) live.release(id)
    // Released but recently used: kept for a while.
    expect(await live.unloadIdle()).toBe(0)
    expect(await live.unloadIdle(Date.now() + 1_001)).toBe(100)
    expect(live.loadedCount).toBe(0)
    expect(live.storedCount).toBe(200)
    const after = await heapAfterGc()
    const held = loaded - before
    expect(held, 'the documents should hold measurable memory').toBeGreaterThan(1_000_000)
    expect(after - before, `held ${held} B while loaded`).toBeLessThan(held * 0.2)
    // And they come back from disk intact.
    expect((await live.retain(ids[7] as DocId, 'yjs')).text()).toBe(text7)
  })

  it('records digests when it unloads and closes, and opens without loading those documents', async () => {
    node = await LatticeNode.open({ store: fx.store })
    for (const id of [A, B]) {
      const doc = await node.retain(id, 'yjs')
      doc.insert(0, `text of ${id}`)
      node.release(id)
    }
    expect(await node.unloadIdle(Date.now() + 60_000)).toBe(2)
    const kept = await node.retain(A, 'yjs')
    kept.insert(0, 'more ')
    await node.flush()
    expect((await fx.store.list()).map((d) => d.digest === null)).toEqual([true, false])
    const digestA = kept.digest()
    await node.close()
    node = null
    const store = await fx.reopen()
    expect((await store.list()).map((d) => d.digest)).toEqual([digestA, expect.any(String)])
    let loads = 0
    const load = store.load.bind(store)
    store.load = (id) => (loads++, load(id))
    node = await LatticeNode.open({ store })
    expect(loads).toBe(0)
    expect(node.replica.digestEntries()).toHaveLength(2)
    expect((await node.retain(A, 'yjs')).text()).toBe(`more text of ${A}`)
  })
})
