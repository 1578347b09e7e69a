import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { docId } from '../../../shared/ids'
import type { DocStore } from '../../../sync-server/storage/doc-store'

/** One store under test, over storage that outlives it when the store is durable. */
export interface DocStoreFixture {
  readonly store: DocStore
  /** Closes `store` and opens a new one over the same storage (durable stores only). */
  reopen(): Promise<DocStore>
  /** Closes whatever is open and removes the storage. */
  dispose(): Promise<void>
}

const A = docId('note-a')
const B = docId('note-b')
const bytes = (...values: number[]) => new Uint8Array(values)
const sorted = <T extends { id: string }>(infos: T[]) =>
  [...infos].sort((x, y) => (x.id < y.id ? -1 : 1))

/**
 * The acceptance suite every DocStore passes (STYLE.md, "Boundaries as interfaces, proven by
 * shared suites"): what `append`, `load`, `compact`, `delete`, `list` and `size` promise.
 */
export function runDocStoreSuite(
  name: string,
  setup: () => Promise<DocStoreFixture>,
  { durable }: { durable: boolean },
): void {
  describe(`DocStore: ${name}`, () => {
    let fx: DocStoreFixture
    let store: DocStore

    beforeEach(async () => {
      fx = await setup()
      store = fx.store
    })
    afterEach(async () => {
      await fx.dispose()
    })

    it('starts empty', async () => {
      expect(await store.load(A)).toBeNull()
      expect(await store.list()).toEqual([])
      expect(await store.size()).toBe(0)
    })

    it('numbers appends 1, 2, 3 per document and loads them in order', async () => {
      expect(await store.append(A, 'yjs', bytes(1))).toBe(1)
      expect(await store.append(A, 'yjs', bytes(2, 2))).toBe(2)
      expect(await store.append(B, 'automerge', bytes(9))).toBe(1)
      expect(await store.append(A, 'yjs', bytes(3, 3, 3))).toBe(3)
      expect(await store.load(A)).toEqual({
        engine: 'yjs',
        updates: [bytes(1), bytes(2, 2), bytes(3, 3, 3)],
        seq: 3,
      })
      expect(await store.load(B)).toEqual({ engine: 'automerge', updates: [bytes(9)], seq: 1 })
    })

    it('keeps the order of appends issued together, across documents', async () => {
      const seqs = await Promise.all(
        Array.from({ length: 40 }, (_, i) => store.append(i % 2 ? A : B, 'yjs', bytes(i))),
      )
      expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => Math.floor(i / 2) + 1))
      const a = await store.load(A)
      expect(a?.updates).toEqual(Array.from({ length: 20 }, (_, i) => bytes(2 * i + 1)))
      expect(a?.seq).toBe(20)
    })

    it('stores a copy, not the caller’s buffer', async () => {
      const update = bytes(1, 2, 3)
      const pending = store.append(A, 'yjs', update)
      update[0] = 99
      await pending
      const loaded = await store.load(A)
      expect(loaded?.updates).toEqual([bytes(1, 2, 3)])
      loaded?.updates[0]?.fill(7)
      expect((await store.load(A))?.updates).toEqual([bytes(1, 2, 3)])
    })

    it('lists each document with its engine, log length and bytes, and sums them in size', async () => {
      await store.append(A, 'yjs', new Uint8Array(100))
      await store.append(A, 'yjs', new Uint8Array(50))
      await store.append(B, 'automerge', new Uint8Array(10))
      const infos = sorted(await store.list())
      expect(infos.map(({ id, engine, logLength }) => ({ id, engine, logLength }))).toEqual([
        { id: A, engine: 'yjs', logLength: 2 },
        { id: B, engine: 'automerge', logLength: 1 },
      ])
      const [a, b] = infos
      // Values, roughly: at least the update bytes, and not wildly more.
      expect(a?.bytes).toBeGreaterThanOrEqual(150)
      expect(a?.bytes).toBeLessThan(150 + 300)
      expect(b?.bytes).toBeGreaterThanOrEqual(10)
      expect(await store.size()).toBe((a?.bytes ?? 0) + (b?.bytes ?? 0))
    })

    it('compaction replaces the snapshot and the log up to uptoSeq, keeping the rest', async () => {
      for (let i = 1; i <= 5; i++) await store.append(A, 'yjs', bytes(i))
      await store.compact(A, bytes(1, 2, 3), 3)
      expect(await store.load(A)).toEqual({
        engine: 'yjs',
        updates: [bytes(1, 2, 3), bytes(4), bytes(5)],
        seq: 5,
      })
      expect((await store.list())[0]?.logLength).toBe(2)
      // Numbering continues; a second compaction replaces the first snapshot.
      expect(await store.append(A, 'yjs', bytes(6))).toBe(6)
      await store.compact(A, bytes(1, 2, 3, 4, 5, 6), 6)
      expect(await store.load(A)).toEqual({
        engine: 'yjs',
        updates: [bytes(1, 2, 3, 4, 5, 6)],
        seq: 6,
      })
      expect((await store.list())[0]?.logLength).toBe(0)
    })

    it('keeps a recorded digest until the next append, across compaction', async () => {
      await store.append(A, 'yjs', bytes(1))
      expect((await store.list())[0]?.digest).toBeNull()
      await store.recordDigest(A, 'd-1')
      expect((await store.list())[0]?.digest).toBe('d-1')
      await store.compact(A, bytes(1), 1)
      expect((await store.list())[0]?.digest).toBe('d-1')
      await store.append(A, 'yjs', bytes(2))
      expect((await store.list())[0]?.digest).toBeNull()
      // Recording a digest for a document that isn't stored does nothing.
      await store.recordDigest(B, 'd-2')
      expect((await store.list()).map((d) => d.id)).toEqual([A])
    })

    it('compaction shrinks what is stored', async () => {
      for (let i = 0; i < 50; i++) await store.append(A, 'yjs', new Uint8Array(100))
      const before = await store.size()
      await store.compact(A, new Uint8Array(200), 50)
      const after = await store.size()
      expect(before).toBeGreaterThanOrEqual(5000)
      expect(after).toBeGreaterThanOrEqual(200)
      expect(after).toBeLessThan(600)
    })

    it('refuses a compaction that would lose updates or names nothing stored', async () => {
      await store.append(A, 'yjs', bytes(1))
      await store.append(A, 'yjs', bytes(2))
      await expect(store.compact(A, bytes(0), 3)).rejects.toThrow(/log ends at 2/)
      await expect(store.compact(B, bytes(0), 1)).rejects.toThrow(/not stored/)
      await store.compact(A, bytes(1, 2), 2)
      // An older snapshot must not replace a newer one.
      await expect(store.compact(A, bytes(1), 1)).rejects.toThrow(/already covers 2/)
      expect((await store.load(A))?.updates).toEqual([bytes(1, 2)])
    })

    it('refuses to append with another engine than the document’s', async () => {
      await store.append(A, 'yjs', bytes(1))
      await expect(store.append(A, 'automerge', bytes(2))).rejects.toThrow(/stored as yjs/)
      expect(await store.load(A)).toEqual({ engine: 'yjs', updates: [bytes(1)], seq: 1 })
    })

    it('deletes a document entirely; its id can start over', async () => {
      for (let i = 1; i <= 3; i++) await store.append(A, 'yjs', bytes(i))
      await store.compact(A, bytes(1, 2), 2)
      await store.append(B, 'yjs', bytes(7))
      await store.delete(A)
      expect(await store.load(A)).toBeNull()
      expect((await store.list()).map((d) => d.id)).toEqual([B])
      expect(await store.size()).toBe((await store.list())[0]?.bytes)
      await store.delete(A) // deleting what is gone is fine
      expect(await store.append(A, 'automerge', bytes(5))).toBe(1)
      expect(await store.load(A)).toEqual({ engine: 'automerge', updates: [bytes(5)], seq: 1 })
    })

    it('rejects ids that are not document ids', async () => {
      await expect(store.append(docIdUnchecked('a!b'), 'yjs', bytes(1))).rejects.toThrow(/id/)
      await expect(store.load(docIdUnchecked(''))).rejects.toThrow(/id/)
    })

    it('refuses work once closed', async () => {
      await store.append(A, 'yjs', bytes(1))
      await store.close()
      await expect(store.append(A, 'yjs', bytes(2))).rejects.toThrow(/closed/)
      await expect(store.load(A)).rejects.toThrow(/closed/)
    })

    // An in-memory store has nothing to reopen.
    const durableIt = durable ? it : () => {}
    durableIt('keeps everything across close and reopen', async () => {
      for (let i = 1; i <= 4; i++) await store.append(A, 'yjs', bytes(i))
      await store.compact(A, bytes(1, 2), 2)
      await store.append(B, 'automerge', bytes(8))
      const before = { a: await store.load(A), b: await store.load(B), size: await store.size() }
      store = await fx.reopen()
      expect(await store.load(A)).toEqual(before.a)
      expect(await store.load(B)).toEqual(before.b)
      expect(await store.size()).toBe(before.size)
      expect(sorted(await store.list()).map((d) => d.logLength)).toEqual([2, 1])
      expect(await store.append(A, 'yjs', bytes(5))).toBe(5)
    })
  })
}

/** For the one test that hands a store an id `docId` would refuse. */
function docIdUnchecked(id: string) {
  return id as ReturnType<typeof docId>
}
