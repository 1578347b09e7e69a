import { describe, expect, it } from 'vitest'
import { createNote } from '../../../shared/engine/create'
import type { NoteDoc } from '../../../shared/engine/types'
import { docId, replicaId, type DocId } from '../../../shared/ids'
import { MemoryLinkPair } from '../../../shared/sync/memory-link'
import { Replica } from '../../../shared/sync/replica'
import { VirtualScheduler } from '../../../shared/sync/virtual-scheduler'

/** Runs virtual time and real promise callbacks (the loads) alternately for a while. */
async function settle(scheduler: VirtualScheduler): Promise<void> {
  for (let i = 0; i < 10; i++) {
    scheduler.run()
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('a replica that loads documents from storage on demand', () => {
  it('handles frames in order while a document loads, loading it once', async () => {
    const scheduler = new VirtualScheduler()
    const stored = new Map<DocId, Uint8Array>()
    const seed = createNote('yjs', { id: docId('stored'), replica: replicaId('disk') })
    seed.insert(0, 'from disk ')
    stored.set(seed.id, seed.encodeState())
    let loads = 0
    const node = new Replica({
      id: replicaId('node'),
      mode: 'full',
      loadDoc: async (id, engine) => {
        loads++
        await new Promise((r) => setTimeout(r, 5))
        const bytes = stored.get(id)
        if (!bytes) return null
        const doc: NoteDoc = createNote(engine, { id, replica: replicaId('node') })
        doc.applyUpdate(bytes, 'load')
        return doc
      },
    })
    const window = new Replica({ id: replicaId('window'), mode: 'partial' })
    const pair = new MemoryLinkPair('wn', scheduler)
    window.attach(pair.a)
    node.attach(pair.b)
    const w = window.open(docId('stored'), 'yjs')
    pair.connect()
    w.insert(0, 'typed ')
    w.insert(6, 'fast ')
    await settle(scheduler)
    expect(loads).toBe(1)
    // Concurrent with what was on disk: both present, in the engine's order, on both sides.
    expect(w.text()).toContain('typed fast ')
    expect(w.text()).toContain('from disk ')
    expect(node.getDoc(docId('stored'))?.text()).toBe(w.text())
    // Unloaded and loaded again, it keeps syncing.
    node.drop(docId('stored'))
    stored.set(docId('stored'), w.encodeState())
    w.insert(0, 'again ')
    await settle(scheduler)
    expect(loads).toBe(2)
    expect(node.getDoc(docId('stored'))?.text()).toBe(w.text())
  })
})

describe('a durable replica', () => {
  it('acknowledges what a peer sent only once its write is done, with the version written', async () => {
    const scheduler = new VirtualScheduler()
    let finishWrite: () => void = () => {}
    let writing: Promise<void> | null = null
    const node = new Replica({
      id: replicaId('node'),
      mode: 'full',
      durable: () => writing,
    })
    node.docAdded.on((doc) =>
      doc.onChange(() => {
        writing = new Promise<void>((resolve) => (finishWrite = resolve))
      }),
    )
    const window = new Replica({ id: replicaId('window'), mode: 'partial' })
    const acks: string[] = []
    window.events.on((e) => {
      if (e.type === 'ack') acks.push(Array.from(e.version).join(','))
    })
    const pair = new MemoryLinkPair('wn', scheduler)
    window.attach(pair.a)
    node.attach(pair.b)
    const w = window.open(docId('n'), 'yjs')
    pair.connect()
    await settle(scheduler)
    const before = acks.length
    w.insert(0, 'durable?')
    await settle(scheduler)
    expect(acks.length).toBe(before)
    finishWrite()
    await settle(scheduler)
    expect(acks.length).toBe(before + 1)
    expect(acks.at(-1)).toBe(Array.from(w.encodeVersion()).join(','))
  })

  it("acknowledges to a window what it received from others, so only the window's own edits count as unconfirmed", async () => {
    const scheduler = new VirtualScheduler()
    const node = new Replica({ id: replicaId('node'), mode: 'full', durable: () => null })
    const windows = ['a', 'b'].map((name) => {
      const win = new Replica({ id: replicaId(name), mode: 'partial' })
      const pair = new MemoryLinkPair(name, scheduler)
      win.attach(pair.a)
      node.attach(pair.b)
      pair.connect()
      return win
    })
    const [a, b] = windows as [Replica, Replica]
    let lastAck: Uint8Array = new Uint8Array()
    a.events.on((e) => {
      if (e.type === 'ack') lastAck = e.version
    })
    const da = a.open(docId('n'), 'yjs')
    const db = b.open(docId('n'), 'yjs')
    await settle(scheduler)
    db.insert(0, 'from b')
    await settle(scheduler)
    expect(da.text()).toBe('from b')
    expect(lastAck.length).toBeGreaterThan(0)
    expect(da.unseenBy(lastAck)).toBe(0)
    da.insert(0, 'a')
    expect(da.unseenBy(lastAck)).toBe(1)
    await settle(scheduler)
    expect(da.unseenBy(lastAck)).toBe(0)
  })
})
