import { describe, expect, it } from 'vitest'
import { createNote } from '../../../shared/engine/create'
import { ENGINES, type EngineKind } from '../../../shared/engine/types'
import { docId, linkId, replicaId, type DocId } from '../../../shared/ids'
import { loadNote, persist } from '../../../sync-server/storage/doc-persistence'
import { CorruptRecordError } from '../../../sync-server/storage/doc-store'
import { MemoryDocStore } from '../../../sync-server/storage/memory-store'

const ID = docId('persisted-note')
const REPLICA = replicaId('node')
const makeDoc = (id: DocId, engine: EngineKind) => createNote(engine, { id, replica: REPLICA })

/** A memory store whose next `failures` appends reject, as a full disk would. */
class FlakyStore extends MemoryDocStore {
  failures = 0
  appends = 0
  compactions = 0

  override append(...args: Parameters<MemoryDocStore['append']>): Promise<number> {
    this.appends++
    if (this.failures > 0) {
      this.failures--
      return Promise.reject(new Error('ENOSPC: no space left on device'))
    }
    return super.append(...args)
  }

  override compact(...args: Parameters<MemoryDocStore['compact']>): Promise<void> {
    this.compactions++
    return super.compact(...args)
  }
}

describe('doc-persistence', () => {
  for (const engine of ENGINES) {
    it(`writes every ${engine} change, local and remote, and loads it back equal`, async () => {
      const store = new MemoryDocStore()
      const note = makeDoc(ID, engine)
      const p = persist(store, note)
      note.setTitle('plan')
      note.insert(0, 'hello')
      const peer = createNote(engine, { id: ID, replica: replicaId('peer') })
      peer.applyUpdate(note.encodeState(), linkId('to-node'))
      peer.insert(5, ' world')
      note.applyUpdate(peer.encodeState(), linkId('to-peer'))
      expect(p.pending).toBeGreaterThan(0)
      await p.flushed()
      expect(p.pending).toBe(0)
      const loaded = await loadNote(store, ID, makeDoc)
      expect(loaded?.text()).toBe('hello world')
      expect(loaded?.title()).toBe('plan')
      expect(loaded?.digest()).toBe(note.digest())
    })
  }

  it('does not write back what it loaded', async () => {
    const store = new FlakyStore()
    const note = makeDoc(ID, 'yjs')
    const p = persist(store, note)
    for (let i = 0; i < 5; i++) note.insert(i, 'x')
    await p.flushed()
    const appends = store.appends
    const loaded = await loadNote(store, ID, makeDoc)
    if (!loaded) throw new Error('not stored')
    const again = persist(store, loaded)
    await again.flushed()
    expect(store.appends).toBe(appends)
    loaded.insert(0, 'y')
    await again.flushed()
    expect(store.appends).toBe(appends + 1)
  })

  it('compacts after compactEvery appends', async () => {
    const store = new FlakyStore()
    const note = makeDoc(ID, 'yjs')
    const p = persist(store, note, { compactEvery: 10, maxLogRatio: 1e9 })
    for (let i = 0; i < 25; i++) {
      note.insert(0, 'a')
      await p.flushed()
    }
    // The first append is the base; compactions after the 11th and the 21st.
    expect(store.compactions).toBe(2)
    const [info] = await store.list()
    expect(info?.logLength).toBeLessThan(10)
    expect((await loadNote(store, ID, makeDoc))?.text()).toBe('a'.repeat(25))
  })

  it('compacts once the log outweighs the snapshot 4x', async () => {
    const store = new FlakyStore()
    const note = makeDoc(ID, 'yjs')
    const p = persist(store, note, { compactEvery: 1e9 })
    note.insert(0, 'x'.repeat(5000))
    await p.flushed()
    for (let i = 0; i < 3; i++) {
      note.insert(0, 'y'.repeat(5000))
      await p.flushed()
    }
    expect(store.compactions).toBe(0) // 15,000 bytes of log on a 5,000-byte base
    note.insert(0, 'z'.repeat(5500))
    await p.flushed()
    await new Promise((r) => setTimeout(r, 0))
    expect(store.compactions).toBe(1)
    expect((await store.list())[0]?.logLength).toBe(0)
    // The next round is measured against the new, bigger snapshot.
    note.insert(0, 'w'.repeat(20000))
    await p.flushed()
    await new Promise((r) => setTimeout(r, 0))
    expect(store.compactions).toBe(1)
  })

  it('counts a loaded log toward the next compaction', async () => {
    const store = new FlakyStore()
    const first = makeDoc(ID, 'yjs')
    const p1 = persist(store, first, { compactEvery: 10, maxLogRatio: 1e9 })
    for (let i = 0; i < 8; i++) {
      first.insert(0, 'a')
      await p1.flushed()
    }
    p1.stop()
    const second = await loadNote(store, ID, makeDoc)
    if (!second) throw new Error('not stored')
    const p2 = persist(store, second, { compactEvery: 10, maxLogRatio: 1e9 })
    for (let i = 0; i < 3; i++) {
      second.insert(0, 'b')
      await p2.flushed()
    }
    await new Promise((r) => setTimeout(r, 0))
    expect(store.compactions).toBe(1)
  })

  it('writes a burst of changes as one merged append, and a small log is not compacted', async () => {
    const store = new FlakyStore()
    const note = makeDoc(ID, 'yjs')
    const p = persist(store, note)
    note.insert(0, 'first')
    for (let i = 0; i < 50; i++) note.insert(note.text().length, String(i % 10))
    expect(p.pending).toBe(51)
    await p.flushed()
    expect(p.pending).toBe(0)
    const [info] = await store.list()
    expect(info?.logLength).toBeLessThanOrEqual(2)
    expect(store.compactions).toBe(0)
    expect((await loadNote(store, ID, makeDoc))?.text()).toBe(note.text())
  })

  it('rewrites the whole state after a failed append, and reports the failure until then', async () => {
    const store = new FlakyStore()
    const note = makeDoc(ID, 'yjs')
    const p = persist(store, note)
    note.insert(0, 'one ')
    await p.flushed()
    store.failures = 1
    note.insert(4, 'two ')
    await expect(p.flushed()).rejects.toThrow(/ENOSPC/)
    // Nothing new was typed: flushed itself retries, with the full state.
    await p.flushed()
    note.insert(8, 'three')
    await p.flushed()
    const loaded = await loadNote(store, ID, makeDoc)
    expect(loaded?.text()).toBe('one two three')
  })

  it('stops writing once stopped', async () => {
    const store = new FlakyStore()
    const note = makeDoc(ID, 'automerge')
    const p = persist(store, note)
    note.insert(0, 'kept')
    p.stop()
    await p.flushed() // what was queued before stop still lands
    note.insert(0, 'not ')
    await p.flushed()
    expect(store.appends).toBe(1)
    expect((await loadNote(store, ID, makeDoc))?.text()).toBe('kept')
  })

  it('loads nothing as null, and names an update the engine refuses', async () => {
    const store = new MemoryDocStore()
    expect(await loadNote(store, ID, makeDoc)).toBeNull()
    await store.append(ID, 'yjs', new Uint8Array([1, 2, 3]))
    const err = await loadNote(store, ID, makeDoc).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CorruptRecordError)
    expect((err as CorruptRecordError).record).toBe(`${ID} update 1/1`)
  })
})
