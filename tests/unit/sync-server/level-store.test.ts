import { execFileSync } from 'node:child_process'
import { ClassicLevel } from 'classic-level'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createNote } from '../../../shared/engine/create'
import { ENGINES, type EngineKind } from '../../../shared/engine/types'
import { docId, replicaId, type DocId } from '../../../shared/ids'
import { loadNote, persist } from '../../../sync-server/storage/doc-persistence'
import { CorruptRecordError } from '../../../sync-server/storage/doc-store'
import { LevelDocStore, StoreLockedError } from '../../../sync-server/storage/level-store'
import { crc32 } from '../../../sync-server/storage/record-codec'
import { openLevelFixture, type LevelFixture } from './level-fixture'

const A = docId('note-a')
const B = docId('note-b')
const REPLICA = replicaId('node-under-test')
const bytes = (...values: number[]) => new Uint8Array(values)
const makeDoc = (id: DocId, engine: EngineKind) => createNote(engine, { id, replica: REPLICA })

/** Rewrites one stored value through a raw LevelDB handle, with the store closed. */
async function tamper(
  fx: LevelFixture,
  key: string,
  edit: (value: Uint8Array) => Uint8Array | null,
): Promise<void> {
  await fx.store.close()
  const raw = new ClassicLevel<string, Uint8Array>(fx.dir, { valueEncoding: 'view' })
  const value = await raw.get(key)
  if (value === undefined) throw new Error(`no value at ${key}`)
  const next = edit(new Uint8Array(value))
  if (next) await raw.put(key, next)
  else await raw.del(key)
  await raw.close()
  await fx.reopen()
}

const flipByte =
  (at: number) =>
  (value: Uint8Array): Uint8Array => {
    const out = value.slice()
    const i = at < 0 ? out.length + at : at
    out[i] = (out[i] ?? 0) ^ 0x10
    return out
  }

/** `du -sk` of a folder, in bytes. */
function diskUsage(dir: string): number {
  return Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]) * 1024
}

describe('LevelDocStore', () => {
  let fx: LevelFixture

  beforeEach(async () => {
    fx = await openLevelFixture()
  })
  afterEach(async () => {
    await fx.dispose()
  })

  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926)
    expect(crc32(new Uint8Array(0))).toBe(0)
  })

  describe('reports a damaged record by its key, never as an empty document', () => {
    beforeEach(async () => {
      for (let i = 1; i <= 4; i++) await fx.store.append(A, 'yjs', bytes(i, i, i, i))
      await fx.store.compact(A, bytes(1, 2, 3, 4, 5, 6), 2)
      await fx.store.append(B, 'automerge', bytes(42))
    })

    const cases = [
      { what: 'a flipped payload byte in a log entry', key: 'u!note-a!0000000000000003', at: -1 },
      { what: 'a flipped payload byte in the snapshot', key: 's!note-a', at: 12 },
      { what: 'a flipped length in a log entry header', key: 'u!note-a!0000000000000004', at: 2 },
      { what: 'a flipped byte in the meta record', key: 'm!note-a', at: 15 },
    ]
    for (const { what, key, at } of cases) {
      it(`${what}, while other documents still load`, async () => {
        await tamper(fx, key, flipByte(at))
        const err = await fx.store.load(A).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(CorruptRecordError)
        expect((err as CorruptRecordError).record).toBe(key)
        expect((err as Error).message).toContain(key)
        expect(await fx.store.load(B)).toEqual({
          engine: 'automerge',
          updates: [bytes(42)],
          seq: 1,
        })
      })
    }

    it('a log entry gone missing', async () => {
      await tamper(fx, 'u!note-a!0000000000000003', () => null)
      await expect(fx.store.load(A)).rejects.toThrow(
        new CorruptRecordError(
          'u!note-a!0000000000000003',
          'missing (next present is u!note-a!0000000000000004)',
        ),
      )
    })

    it('a damaged meta record: list names it, appends refuse to overwrite it, delete still works', async () => {
      await tamper(fx, 'm!note-a', flipByte(15))
      await expect(fx.store.list()).rejects.toThrow(/corrupt record m!note-a/)
      const reported: string[] = []
      const listed = await fx.store.list((id, err) => reported.push(`${id}: ${err.record}`))
      expect(reported).toEqual(['note-a: m!note-a'])
      expect(listed.map((d) => d.id)).toEqual([B])
      await expect(fx.store.append(A, 'yjs', bytes(5))).rejects.toBeInstanceOf(CorruptRecordError)
      await expect(fx.store.compact(A, bytes(0), 4)).rejects.toBeInstanceOf(CorruptRecordError)
      // Appends to other documents in the same batch are unaffected.
      const [bad, good] = await Promise.allSettled([
        fx.store.append(A, 'yjs', bytes(5)),
        fx.store.append(B, 'automerge', bytes(43)),
      ])
      expect(bad.status).toBe('rejected')
      expect(good).toEqual({ status: 'fulfilled', value: 2 })
      await expect(fx.store.load(A)).rejects.toThrow(/m!note-a/)
      await fx.store.delete(A)
      expect(await fx.store.load(A)).toBeNull()
      expect((await fx.store.list()).map((d) => d.id)).toEqual([B])
    })
  })

  it('says who holds a locked folder', async () => {
    const err = await LevelDocStore.open(fx.dir).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreLockedError)
    expect((err as Error).message).toContain(fx.dir)
    expect((err as Error).message).toMatch(/another Lattice process .* probably has it open/)
  })

  it('group-commits appends issued together into one synced batch', async () => {
    const N = 400
    const store = fx.store
    const payload = new Uint8Array(40).fill(7)

    let t = performance.now()
    for (let i = 0; i < N; i++) await store.append(A, 'yjs', payload)
    const single = N / ((performance.now() - t) / 1000)
    const singleBatches = store.stats.appendBatches
    expect(singleBatches).toBe(N)

    // 16 documents, each writer awaiting its own appends one by one, as a busy node would.
    const writers = 16
    t = performance.now()
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const id = docId(`writer-${w}`)
        for (let i = 0; i < N / writers; i++) await store.append(id, 'yjs', payload)
      }),
    )
    const grouped = N / ((performance.now() - t) / 1000)
    const groupedBatches = store.stats.appendBatches - singleBatches

    // Everything at once.
    t = performance.now()
    await Promise.all(Array.from({ length: N }, () => store.append(B, 'yjs', payload)))
    const burst = N / ((performance.now() - t) / 1000)
    const burstBatches = store.stats.appendBatches - singleBatches - groupedBatches

    console.log(
      `[level-store] synced appends/s: one at a time ${single.toFixed(0)} (${N} batches); ` +
        `${writers} concurrent writers ${grouped.toFixed(0)} (${groupedBatches} batches); ` +
        `${N} at once ${burst.toFixed(0)} (${burstBatches} batch${burstBatches === 1 ? '' : 'es'})`,
    )
    expect(groupedBatches).toBeLessThanOrEqual(N / 8)
    expect(burstBatches).toBe(1)
    expect((await store.load(B))?.seq).toBe(N)
    for (let w = 0; w < writers; w++) {
      expect((await store.load(docId(`writer-${w}`)))?.seq).toBe(N / writers)
    }
  })

  it('keeps a note’s stored size bounded by its state over 2,000 appends', async () => {
    const note = createNote('yjs', { id: A, replica: REPLICA, actorSeed: 7 })
    const p = persist(fx.store, note) // the defaults: every 500 appends, or log > 4x snapshot
    let worst = 0
    let compactions = 0
    let lastLog = 0
    for (let i = 0; i < 2000; i++) {
      note.insert(note.text().length, `w${i} `)
      await p.flushed()
      const [info] = await fx.store.list()
      if (!info) throw new Error('note not stored')
      const state = note.encodeState().length
      // The policy's bound: snapshot + a log of at most 4 snapshots (one update over while the
      // compaction is on its way), plus each value's 10-byte frame and the meta record.
      expect(info.bytes).toBeLessThanOrEqual(5 * state + 10 * info.logLength + 256)
      if (info.logLength < lastLog) compactions++
      lastLog = info.logLength
      if (i >= 100) worst = Math.max(worst, info.bytes / state)
    }
    const [info] = await fx.store.list()
    const state = note.encodeState().length
    const onDisk = info?.bytes ?? 0
    const du = diskUsage(fx.dir)
    await fx.reopen() // LevelDB turns its write-ahead log into a table on open
    console.log(
      `[level-store] 2,000 one-token Yjs appends: ${onDisk} B stored (log ${info?.logLength} ` +
        `entries) vs encodeState ${state} B = ${(onDisk / state).toFixed(2)}x at the end, ` +
        `${worst.toFixed(2)}x at worst after the first 100; ${compactions} compactions; ` +
        `folder (du) ${du} B, ${diskUsage(fx.dir)} B after reopening`,
    )
    expect(onDisk).toBeLessThanOrEqual(2 * state)
    p.stop()
    const loaded = await loadNote(fx.store, A, makeDoc)
    expect(loaded?.text() === note.text()).toBe(true)
  })

  for (const engine of ENGINES) {
    it(`persists a ${engine} note through doc-persistence and reopens it equal`, async () => {
      const note = createNote(engine, { id: A, replica: REPLICA })
      const p = persist(fx.store, note, { compactEvery: 7 })
      note.setTitle('groceries')
      for (let i = 0; i < 30; i++) {
        note.insert(note.text().length, `item ${i}\n`)
        if (i % 3 === 0) await p.flushed()
      }
      note.delete(0, 7)
      note.transact(() => {
        note.insert(0, 'list:\n')
        note.setTitle('groceries, Tuesday')
      })
      await p.flushed()
      p.stop()
      const store = await fx.reopen()
      const loaded = await loadNote(store, A, makeDoc)
      expect(loaded?.engine).toBe(engine)
      expect(loaded?.text()).toBe(note.text())
      expect(loaded?.title()).toBe('groceries, Tuesday')
      expect(loaded?.digest()).toBe(note.digest())
      expect((await store.list())[0]?.logLength).toBeLessThanOrEqual(7)
    })
  }
})
