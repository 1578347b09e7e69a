import { describe, expect, it } from 'vitest'
import {
  SyncMessageError,
  type CausalEvent,
  type DocChange,
  type DocSync,
  type NoteDoc,
} from '../../../shared/engine/types'
import { linkId, replicaId, type LinkId, type ReplicaId } from '../../../shared/ids'
import { Rng } from '../../../shared/util/rng'
import { compare } from '../../../shared/vv/version-vector'

/** Makes an empty replica of one shared document; distinct actor seeds keep replicas apart. */
export type MakeNote = (replica: ReplicaId, actorSeed: number) => NoteDoc

const LINK = linkId('link-1')

/** One end of an in-test sync wire: a replica and its driver for the other end. */
interface End {
  readonly doc: NoteDoc
  readonly sync: DocSync
  readonly link: LinkId
}

interface Delivery {
  readonly to: NoteDoc
  /** 0: opening messages and live edits; n + 1: sent in answer to a generation-n message. */
  readonly generation: number
  readonly bytes: number
}

/**
 * Two replicas joined by fresh `DocSync` drivers, wired the way a session wires them: replies
 * to `receive` go back, and every change goes through `afterChange` to the other side.
 */
class SyncWire {
  readonly ends: [End, End]
  private readonly queue: Array<{ to: 0 | 1; message: Uint8Array; generation: number }> = []
  private readonly offs: Array<() => void>
  private generation = 0

  constructor(a: NoteDoc, b: NoteDoc) {
    const la = linkId(`${a.replica}-to-${b.replica}`)
    const lb = linkId(`${b.replica}-to-${a.replica}`)
    this.ends = [
      { doc: a, sync: a.createSync(la), link: la },
      { doc: b, sync: b.createSync(lb), link: lb },
    ]
    this.offs = this.ends.map((end, i) =>
      end.doc.onChange((change) => this.post(i === 0 ? 1 : 0, end.sync.afterChange(change))),
    )
  }

  open(): void {
    this.post(1, this.ends[0].sync.start())
    this.post(0, this.ends[1].sync.start())
  }

  private post(to: 0 | 1, messages: Uint8Array[]): void {
    for (const message of messages) this.queue.push({ to, message, generation: this.generation })
  }

  get pending(): number {
    return this.queue.length
  }

  /** Drops the next queued message, as a lossy network would. */
  drop(): void {
    this.queue.shift()
  }

  /** Delivers until nothing is in flight; throws if the drivers never go quiet. */
  run(maxMessages = 1000): Delivery[] {
    const log: Delivery[] = []
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      if (log.length >= maxMessages)
        throw new Error(`sync did not go quiet in ${maxMessages} messages (a sync loop)`)
      const { doc, sync } = this.ends[next.to]
      this.generation = next.generation + 1
      const replies = sync.receive(next.message)
      this.post(next.to === 0 ? 1 : 0, replies)
      this.generation = 0
      log.push({ to: doc, generation: next.generation, bytes: next.message.length })
    }
    return log
  }

  close(): void {
    for (const off of this.offs) off()
  }
}

function expectSameReplica(a: NoteDoc, b: NoteDoc): void {
  expect(b.text()).toBe(a.text())
  expect(b.title()).toBe(a.title())
  expect(b.digest()).toBe(a.digest())
  expect(b.version()).toEqual(a.version())
  expect(compare(a.version(), b.version())).toBe('equal')
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1
}

/** Bytes of every local change made by `fn`, in order. */
function localUpdates(doc: NoteDoc, fn: () => void): Uint8Array[] {
  const out: Uint8Array[] = []
  const off = doc.onChange((change) => {
    if (change.origin === 'local') out.push(change.update())
  })
  fn()
  off()
  return out
}

function recordChanges(doc: NoteDoc): { changes: DocChange[]; off: () => void } {
  const changes: DocChange[] = []
  return { changes, off: doc.onChange((c) => changes.push(c)) }
}

function recordCausal(doc: NoteDoc): { events: CausalEvent[]; off: () => void } {
  const events: CausalEvent[] = []
  return { events, off: doc.onCausal((e) => events.push(e)) }
}

/**
 * The acceptance suite every `NoteDoc` engine passes (DESIGN.md, "The CRDT layer"): local
 * edits, state and diff encoding, idempotent and order-free applies, causal events, held
 * updates and the per-link sync driver.
 */
export function runNoteDocSuite(name: string, make: MakeNote): void {
  let nextSeed = 1
  const fresh = (replica: string): NoteDoc => make(replicaId(replica), nextSeed++ * 7919)
  /** A new replica holding exactly what `source` holds. */
  const copyOf = (source: NoteDoc, replica: string): NoteDoc => {
    const doc = fresh(replica)
    doc.applyUpdate(source.encodeState(), 'load')
    return doc
  }
  /** Three replicas of one base text: the origin and two copies that will edit concurrently. */
  const forked = (base: string) => {
    const origin = fresh('origin')
    origin.insert(0, base)
    return { origin, a: copyOf(origin, 'a'), b: copyOf(origin, 'b') }
  }

  describe(`NoteDoc acceptance: ${name}`, () => {
    describe('local edits', () => {
      it('starts empty', () => {
        const doc = fresh('a')
        expect(doc.text()).toBe('')
        expect(doc.title()).toBe('')
        expect(doc.held()).toBe(0)
      })

      it('reads back inserts, deletes and the title', () => {
        const doc = fresh('a')
        doc.insert(0, 'hello world')
        doc.insert(5, ',')
        doc.delete(0, 1)
        doc.insert(0, 'H')
        doc.delete(6, 6)
        doc.insert(6, ' there')
        doc.setTitle('Greeting')
        expect(doc.text()).toBe('Hello, there')
        expect(doc.title()).toBe('Greeting')
        doc.setTitle('Renamed')
        expect(doc.title()).toBe('Renamed')
      })

      it('commits a transaction of several edits as one change', () => {
        const doc = fresh('a')
        doc.insert(0, 'abc')
        const { changes, off } = recordChanges(doc)
        doc.transact(() => {
          doc.insert(3, 'def')
          doc.delete(0, 1)
          doc.setTitle('t')
        })
        off()
        expect(doc.text()).toBe('bcdef')
        expect(doc.title()).toBe('t')
        expect(changes.map((c) => c.origin)).toEqual(['local'])
      })

      it('reads its own edits inside a transaction', () => {
        const doc = fresh('a')
        doc.insert(0, 'abc')
        const seen: string[] = []
        doc.transact(() => {
          doc.insert(3, 'def')
          seen.push(doc.text())
          doc.setTitle('inside')
          seen.push(doc.title())
        })
        // Code that places its next edit by reading the text must see the edits before it.
        expect(seen).toEqual(['abcdef', 'inside'])
      })

      it('treats a nested transaction as part of the outer one', () => {
        const doc = fresh('a')
        const { changes, off } = recordChanges(doc)
        doc.transact(() => {
          doc.insert(0, 'x')
          doc.transact(() => doc.insert(1, 'y'))
        })
        off()
        expect(doc.text()).toBe('xy')
        expect(changes).toHaveLength(1)
      })

      it('commits nothing for an empty insert or delete', () => {
        const doc = fresh('a')
        doc.insert(0, 'abc')
        const before = doc.digest()
        const { changes, off } = recordChanges(doc)
        doc.insert(1, '')
        doc.delete(1, 0)
        off()
        expect(changes).toHaveLength(0)
        expect(doc.digest()).toBe(before)
      })
    })

    describe('state and diffs', () => {
      it('encodeState rebuilds an equal replica from scratch', () => {
        const doc = fresh('a')
        doc.insert(0, 'some text')
        doc.delete(2, 3)
        doc.setTitle('Title')
        const copy = copyOf(doc, 'b')
        expectSameReplica(doc, copy)
        expect(copy.held()).toBe(0)
      })

      it('encodeDiff against a peer version brings that peer level', () => {
        const { a, b } = forked('shared base')
        a.insert(6, ' and edited')
        a.setTitle('A')
        b.insert(0, 'B: ')
        const diff = a.encodeDiff(b.encodeVersion())
        b.applyUpdate(diff, LINK)
        expect(b.text()).toContain(' and edited')
        expect(b.text()).toMatch(/^B: /)
        expect(b.title()).toBe('A')
        // b's own edit isn't in a yet: b is ahead, never behind.
        expect(compare(a.version(), b.version())).toBe('before')
        a.applyUpdate(b.encodeDiff(a.encodeVersion()), LINK)
        expectSameReplica(a, b)
      })

      it('mergeUpdates makes one update that rebuilds a replica like the updates in turn', () => {
        const { origin, a, b } = forked('base')
        const updates: Uint8Array[] = []
        const off = a.onChange((c) => updates.push(c.update()))
        a.insert(4, ' one')
        b.insert(0, 'two ')
        a.applyUpdate(b.encodeDiff(a.encodeVersion()), LINK)
        a.delete(0, 2)
        a.setTitle('merged')
        off()
        expect(updates.length).toBeGreaterThan(2)
        origin.applyUpdate(a.mergeUpdates(updates), LINK)
        expectSameReplica(origin, a)
      })

      it('cursor positions move with concurrent edits on another replica', () => {
        const { a, b } = forked('hello world')
        const cursor = a.cursorAt(6) // before "world"
        b.insert(0, '>> ')
        b.delete(b.text().indexOf('hello'), 6)
        a.applyUpdate(b.encodeDiff(a.encodeVersion()), LINK)
        expect(a.text()).toBe('>> world')
        expect(a.cursorIndex(cursor)).toBe(3)
        expect(b.cursorIndex(cursor)).toBe(3)
        expect(a.cursorIndex('not a cursor')).toBeNull()
      })

      it('unseenBy counts what a peer version lacks, and 0 once it has everything', () => {
        const { origin, a } = forked('base')
        expect(a.unseenBy(origin.encodeVersion())).toBe(0)
        a.insert(0, 'x')
        a.insert(0, 'y')
        const lacking = a.unseenBy(origin.encodeVersion())
        expect(lacking).toBe(2)
        // A peer with edits we never saw still lacks ours. (Automerge heads we don't know hide
        // their ancestry, so it may over-count then; never under-count.)
        origin.insert(0, 'z')
        expect(a.unseenBy(origin.encodeVersion())).toBeGreaterThanOrEqual(2)
        origin.applyUpdate(a.encodeDiff(origin.encodeVersion()), LINK)
        expect(a.unseenBy(origin.encodeVersion())).toBe(0)
        expect(origin.unseenBy(a.encodeVersion())).toBe(1)
      })

      it("versionAt reads a peer version (as ACKs carry it) back as that peer's vector", () => {
        const { origin, a } = forked('base')
        expect(a.versionAt(origin.encodeVersion())).toEqual(origin.version())
        a.insert(0, 'x')
        a.insert(0, 'y')
        // The older peer version, read by the replica ahead of it, is still the peer's own.
        expect(a.versionAt(origin.encodeVersion())).toEqual(origin.version())
        expect(a.versionAt(a.encodeVersion())).toEqual(a.version())
        origin.applyUpdate(a.encodeDiff(origin.encodeVersion()), LINK)
        expect(a.versionAt(origin.encodeVersion())).toEqual(a.version())
      })

      it('encodeDiff holds only what the peer lacks', () => {
        const { origin, a } = forked('a base the peer already has')
        a.insert(7, 'NEW ')
        const diff = a.encodeDiff(origin.encodeVersion())
        expect(diff.length).toBeLessThan(a.encodeState().length)
        // Without the base the diff can't be placed: it must wait, which shows the base isn't in it.
        const empty = fresh('empty')
        empty.applyUpdate(diff, LINK)
        expect(empty.text()).toBe('')
        expect(empty.held()).toBeGreaterThan(0)
        origin.applyUpdate(diff, LINK)
        expectSameReplica(a, origin)
      })

      it('encodeDiff to a peer that is level changes nothing there', () => {
        const { origin, a } = forked('level')
        const before = a.digest()
        const { changes, off } = recordChanges(a)
        a.applyUpdate(origin.encodeDiff(a.encodeVersion()), LINK)
        off()
        expect(changes).toHaveLength(0)
        expect(a.digest()).toBe(before)
      })
    })

    describe('applying remote bytes', () => {
      it('is idempotent: applying an update twice equals applying it once', () => {
        const { a, b } = forked('idempotent')
        a.insert(0, '>> ')
        a.delete(5, 2)
        const diff = a.encodeDiff(b.encodeVersion())
        b.applyUpdate(diff, LINK)
        const once = { text: b.text(), digest: b.digest(), version: b.version() }
        const { changes, off } = recordChanges(b)
        b.applyUpdate(diff, LINK)
        b.applyUpdate(a.encodeState(), LINK)
        off()
        expect({ text: b.text(), digest: b.digest(), version: b.version() }).toEqual(once)
        // A duplicate is not news: nothing to gossip onwards.
        expect(changes).toHaveLength(0)
        expectSameReplica(a, b)
      })

      it('is order-independent: concurrent diffs in either order give equal replicas', () => {
        const { origin, a, b } = forked('order matters not')
        a.insert(6, 'A-side ')
        a.setTitle('from a')
        b.delete(0, 6)
        b.insert(0, 'B-side ')
        b.setTitle('from b')
        const da = a.encodeDiff(origin.encodeVersion())
        const db = b.encodeDiff(origin.encodeVersion())
        const r1 = copyOf(origin, 'r1')
        const r2 = copyOf(origin, 'r2')
        r1.applyUpdate(da, LINK)
        r1.applyUpdate(db, LINK)
        r2.applyUpdate(db, LINK)
        r2.applyUpdate(da, LINK)
        expectSameReplica(r1, r2)
        expect(r1.text()).toContain('A-side ')
        expect(r1.text()).toContain('B-side ')
        expect(['from a', 'from b']).toContain(r1.title())
      })

      it('shrugs off duplicated and repeated deliveries in any mix', () => {
        const { origin, a, b } = forked('dupes')
        const ua = localUpdates(a, () => {
          a.insert(0, '1')
          a.insert(0, '2')
        })
        const ub = localUpdates(b, () => b.insert(5, '3'))
        const reference = copyOf(origin, 'ref')
        for (const u of [...ua, ...ub]) reference.applyUpdate(u, LINK)
        const noisy = copyOf(origin, 'noisy')
        for (const u of [ub[0], ua[0], ua[0], ub[0], ua[1], ua[0], ua[1], ub[0]])
          noisy.applyUpdate(u as Uint8Array, LINK)
        expectSameReplica(reference, noisy)
        expect(noisy.text()).toBe('21dupes3')
      })

      it('keeps both concurrent inserts at one position, each exactly once', () => {
        const { a, b } = forked('[]')
        a.insert(1, 'from-a')
        b.insert(1, 'from-b')
        const da = a.encodeDiff(b.encodeVersion())
        const db = b.encodeDiff(a.encodeVersion())
        a.applyUpdate(db, LINK)
        b.applyUpdate(da, LINK)
        expectSameReplica(a, b)
        expect(['[from-afrom-b]', '[from-bfrom-a]']).toContain(a.text())
        expect(count(a.text(), 'from-a')).toBe(1)
        expect(count(a.text(), 'from-b')).toBe(1)
      })

      it('keeps an insert made concurrently with a delete around it', () => {
        const { a, b } = forked('keep [doomed] this')
        a.delete(5, 8)
        b.insert(9, 'NEW')
        a.applyUpdate(b.encodeDiff(a.encodeVersion()), LINK)
        b.applyUpdate(a.encodeDiff(b.encodeVersion()), LINK)
        expectSameReplica(a, b)
        expect(a.text()).toBe('keep NEW this')
      })
    })

    describe('change events', () => {
      it("reports a local edit with origin 'local' and a remote apply with its link", () => {
        const { a, b } = forked('base')
        const local = recordChanges(a)
        a.insert(4, '!')
        local.off()
        expect(local.changes.map((c) => c.origin)).toEqual(['local'])

        const remote = recordChanges(b)
        b.applyUpdate(a.encodeDiff(b.encodeVersion()), LINK)
        remote.off()
        expect(remote.changes.map((c) => c.origin)).toEqual([LINK])
      })

      it('gives update() bytes that reproduce the change on another replica', () => {
        const { origin, a, b } = forked('base')
        const [update] = localUpdates(a, () =>
          a.transact(() => {
            a.insert(0, '# ')
            a.setTitle('Heading')
          }),
        )
        b.applyUpdate(update as Uint8Array, LINK)
        expectSameReplica(a, b)

        // A remote change's bytes travel on too: that is how gossip forwards it.
        const forwarded = recordChanges(b)
        const c = copyOf(origin, 'c')
        b.applyUpdate(a.encodeState(), LINK)
        a.delete(0, 2)
        b.applyUpdate(a.encodeDiff(b.encodeVersion()), LINK)
        forwarded.off()
        expect(forwarded.changes).toHaveLength(1)
        c.applyUpdate(update as Uint8Array, LINK)
        c.applyUpdate((forwarded.changes[0] as DocChange).update(), LINK)
        expectSameReplica(b, c)
        expect(c.text()).toBe('base')
      })
    })

    describe('causal events', () => {
      it('reports each commit with its dot, deps and version', () => {
        const doc = fresh('a')
        const { events, off } = recordCausal(doc)
        doc.insert(0, 'one')
        doc.insert(3, ' two')
        doc.setTitle('three')
        off()
        expect(events).toHaveLength(3)
        let counter = 0
        for (const e of events) {
          expect(e.kind).toBe('commit')
          expect(e.doc).toBe(doc.id)
          expect(e.replica).toBe(doc.replica)
          expect(e.link).toBeNull()
          expect(e.dot?.actor).toBe(doc.actor)
          expect(e.dot?.counter ?? 0).toBeGreaterThan(counter)
          counter = e.dot?.counter ?? 0
          expect(compare(e.deps, e.version)).toBe('before')
          expect(e.version[doc.actor]).toBe(e.dot?.counter)
        }
        expect(events.map((e) => e.summary)).toEqual(['one', ' two', ''])
        expect(events[2]?.version).toEqual(doc.version())
        // Each commit depends on the one before.
        expect(events[1]?.deps).toEqual(events[0]?.version)
      })

      it('reports a remote apply with the link it came over', () => {
        const { a, b } = forked('base')
        a.insert(0, 'x')
        const { events, off } = recordCausal(b)
        b.applyUpdate(a.encodeDiff(b.encodeVersion()), LINK)
        off()
        expect(events).toHaveLength(1)
        const [e] = events as [CausalEvent]
        expect(e.kind).toBe('apply')
        expect(e.link).toBe(LINK)
        expect(e.replica).toBe(b.replica)
        expect(compare(e.deps, e.version)).toBe('before')
        expect(e.version).toEqual(b.version())
        expect(e.held).toBe(0)
      })

      it('reports a load from storage as an apply over no link', () => {
        const a = fresh('a')
        a.insert(0, 'stored')
        const b = fresh('b')
        const { events, off } = recordCausal(b)
        b.applyUpdate(a.encodeState(), 'load')
        off()
        expect(events.map((e) => [e.kind, e.link])).toEqual([['apply', null]])
      })
    })

    describe('held updates', () => {
      it('holds an update until its dependency arrives, then applies both', () => {
        const a = fresh('a')
        const [u1, u2] = localUpdates(a, () => {
          a.insert(0, 'first')
          a.insert(5, ' second')
        }) as [Uint8Array, Uint8Array]
        const b = fresh('b')
        const { events, off } = recordCausal(b)
        b.applyUpdate(u2, LINK)
        expect(b.held()).toBeGreaterThan(0)
        expect(b.text()).toBe('')
        // The wait is visible (DESIGN.md invariant 3).
        expect(events.at(-1)?.held).toBeGreaterThan(0)
        b.applyUpdate(u1, LINK)
        off()
        expect(b.held()).toBe(0)
        expect(events.at(-1)?.held).toBe(0)
        expect(b.text()).toBe('first second')
        expectSameReplica(a, b)
      })
    })

    describe('sync driver', () => {
      it('converges two replicas that edited apart', () => {
        const { a, b } = forked('shared start')
        a.insert(0, 'A ')
        a.setTitle('title a')
        b.insert(12, ' B')
        b.delete(0, 7)
        const wire = new SyncWire(a, b)
        wire.open()
        wire.run()
        wire.close()
        expectSameReplica(a, b)
        expect(a.text()).toBe('A start B')
        expect(a.held()).toBe(0)
      })

      it('converges a replica with an empty one, both ways', () => {
        const a = fresh('a')
        a.insert(0, 'only on a')
        a.setTitle('a')
        const b = fresh('b')
        const wire = new SyncWire(b, a)
        wire.open()
        wire.run()
        wire.close()
        expectSameReplica(a, b)
      })

      it('sends live edits after the opening exchange, without echoing them back', () => {
        const { a, b } = forked('live')
        const wire = new SyncWire(a, b)
        wire.open()
        wire.run()
        a.insert(4, ' edit')
        b.setTitle('renamed')
        expect(wire.pending).toBeGreaterThan(0)
        wire.run()
        a.insert(0, '> ')
        wire.run()
        wire.close()
        expectSameReplica(a, b)
        expect(b.text()).toBe('> live edit')
        expect(a.title()).toBe('renamed')
      })

      it('quiesces: fresh drivers on synced replicas exchange openings and replies, then nothing', () => {
        const { a, b } = forked('in sync')
        a.insert(0, 'x')
        const first = new SyncWire(a, b)
        first.open()
        first.run()
        first.close()
        const digest = a.digest()

        const again = new SyncWire(a, b)
        again.open()
        const log = again.run()
        again.close()
        const openings = log.filter((d) => d.generation === 0).length
        const replies = log.filter((d) => d.generation === 1).length
        expect(openings).toBeLessThanOrEqual(2)
        expect(replies).toBeLessThanOrEqual(openings)
        expect(log.filter((d) => d.generation > 1)).toEqual([])
        expect(a.digest()).toBe(digest)
        expectSameReplica(a, b)
      })

      it('repairs a lost live message when the next one arrives', () => {
        const { a, b } = forked('lossy')
        const wire = new SyncWire(a, b)
        wire.open()
        wire.run()
        a.insert(0, '1')
        expect(wire.pending).toBe(1)
        wire.drop()
        a.insert(1, '2')
        wire.run()
        wire.close()
        expectSameReplica(a, b)
        expect(b.text()).toBe('12lossy')
        expect(b.held()).toBe(0)
      })

      it('refuses random bytes with SyncMessageError and leaves the text alone', () => {
        const doc = fresh('a')
        doc.insert(0, 'untouched')
        const sync = doc.createSync(LINK)
        sync.start()
        const seed = 0x5eed
        const rng = new Rng(seed)
        for (let i = 0; i < 100; i++) {
          const bytes = Uint8Array.from({ length: 1 + rng.int(64) }, () => rng.int(256))
          const where = `seed ${seed}, payload ${i}: [${bytes.join(',')}]`
          expect(() => sync.receive(bytes), where).toThrow(SyncMessageError)
          expect(doc.text(), where).toBe('untouched')
          expect(doc.held(), where).toBe(0)
        }
        expect(() => sync.receive(new Uint8Array(0))).toThrow(SyncMessageError)
      })

      it('refuses a sync message cut short and leaves the text alone', () => {
        const source = fresh('src')
        source.insert(0, 'a message long enough to cut in many places')
        source.setTitle('cut')
        const peer = fresh('peer')
        const [opening] = peer.createSync(linkId('to-src')).start()
        const full = source.createSync(linkId('to-peer')).receive(opening as Uint8Array)[0]
        if (!full) throw new Error('expected a reply carrying the content')
        for (const cut of [1, full.length >> 1, full.length - 40]) {
          const target = fresh('target')
          expect(() => target.createSync(LINK).receive(full.slice(0, cut)), `cut ${cut}`).toThrow(
            SyncMessageError,
          )
          expect(target.text(), `cut ${cut}`).toBe('')
          expect(target.held(), `cut ${cut}`).toBe(0)
        }
      })

      it('never half-applies a truncated sync message, whatever the cut', () => {
        const source = fresh('src')
        source.insert(0, 'every cut point')
        const [opening] = fresh('peer').createSync(linkId('to-src')).start()
        const full = source.createSync(linkId('to-peer')).receive(opening as Uint8Array)[0]
        if (!full) throw new Error('expected a reply carrying the content')
        for (let cut = 1; cut < full.length; cut++) {
          const target = fresh('target')
          let error: unknown = null
          try {
            target.createSync(LINK).receive(full.slice(0, cut))
          } catch (err) {
            error = err
          }
          // An engine may accept a cut that only loses optional trailing fields (Automerge's
          // capability list); then the content must have arrived whole.
          if (error === null) expect(target.text(), `cut ${cut}`).toBe(source.text())
          else {
            expect(error, `cut ${cut}`).toBeInstanceOf(SyncMessageError)
            expect(target.text(), `cut ${cut}`).toBe('')
          }
          expect(target.held(), `cut ${cut}`).toBe(0)
        }
      })
    })
  })
}
