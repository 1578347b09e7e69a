import { readFileSync } from 'node:fs'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createNote } from '../../shared/engine/create'
import { ENGINES, type EngineKind, type NoteDoc } from '../../shared/engine/types'
import { docId, linkId, replicaId } from '../../shared/ids'

/**
 * Replays a real concurrent editing trace (two people typing into one document; josephg/
 * editing-traces, CC BY 4.0, see shared/traces/README.md) as one replica per agent exchanging
 * update bytes, and checks every engine reaches the recorded final text.
 */
const TRACE = path.resolve(import.meta.dirname, '../../../shared/traces/friendsforever.json.gz')

type Patch = [pos: number, delCount: number, insText: string]

interface Txn {
  readonly agent: number
  /** Indexes of earlier transactions whose merged state this one edits. */
  readonly parents: readonly number[]
  readonly patches: readonly Patch[]
}

interface ConcurrentTrace {
  readonly kind: 'concurrent'
  readonly numAgents: number
  readonly startContent?: string
  readonly endContent: string
  readonly txns: readonly Txn[]
}

function loadTrace(file: string): ConcurrentTrace {
  const trace = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as ConcurrentTrace
  if (trace.kind !== 'concurrent' || !Array.isArray(trace.txns))
    throw new Error(`${file} is not a concurrent trace`)
  return trace
}

const LINK = linkId('trace-peer')

/**
 * Several updates as one message, in each engine's own way (Yjs merges updates; Automerge's
 * incremental format is a concatenation of changes). Batching matters for Automerge: applying a
 * remote change there costs time in proportion to the text's length (about 7 ms at 16k chars),
 * so 25k single applies take two minutes where 2.4k batches take seconds.
 */
function batch(engine: EngineKind, updates: readonly Uint8Array[]): Uint8Array {
  if (updates.length === 1) return updates[0] as Uint8Array
  if (engine === 'yjs') return Y.mergeUpdates([...updates])
  const out = new Uint8Array(updates.reduce((n, u) => n + u.length, 0))
  let at = 0
  for (const u of updates) {
    out.set(u, at)
    at += u.length
  }
  return out
}

interface Replay {
  readonly replicas: NoteDoc[]
  /** Batches of remote updates applied before an agent's edit. */
  readonly remoteApplies: number
  readonly ms: number
}

/**
 * Each agent edits its own replica. Before agent g runs transaction i, g's replica is brought to
 * exactly the merged state of i's parents: it applies the recorded update of every transaction
 * in their causal past that it lacks, and nothing concurrent (that would shift positions).
 */
function replay(engine: EngineKind, trace: ConcurrentTrace): Replay {
  const started = performance.now()
  const { txns } = trace
  const replicas = Array.from({ length: trace.numAgents }, (_, g) =>
    createNote(engine, {
      id: docId('friendsforever'),
      replica: replicaId(`agent-${g}`),
      actorSeed: g + 1,
    }),
  )
  // What each replica holds, always closed under parents: everything it holds, it holds the past of.
  const holds = replicas.map(() => new Uint8Array(txns.length))
  // Null for a transaction that changed nothing (no bytes to send).
  const updates: Array<Uint8Array | null> = []
  let remoteApplies = 0

  if (trace.startContent) {
    const seed = replicas[0] as NoteDoc
    seed.insert(0, trace.startContent)
    for (const other of replicas.slice(1)) other.applyUpdate(seed.encodeState(), 'load')
  }

  txns.forEach((txn, i) => {
    const doc = replicas[txn.agent]
    const held = holds[txn.agent]
    if (!doc || !held) throw new Error(`txn ${i}: unknown agent ${txn.agent}`)

    const missing: number[] = []
    const stack = [...txn.parents]
    for (let j = stack.pop(); j !== undefined; j = stack.pop()) {
      if (held[j]) continue
      if (j >= i) throw new Error(`txn ${i}: parent ${j} is not earlier`)
      held[j] = 1
      missing.push(j)
      stack.push(...(txns[j] as Txn).parents)
    }
    // Index order is a causal order: parents always come earlier.
    missing.sort((x, y) => x - y)
    const due = missing.flatMap((j) => updates[j] ?? [])
    if (due.length > 0) {
      doc.applyUpdate(batch(engine, due), LINK)
      remoteApplies++
      if (doc.held() !== 0) throw new Error(`txn ${i}: the causal past left something held`)
    }

    let update: Uint8Array | null = null
    const off = doc.onChange((change) => {
      if (change.origin === 'local') update = change.update()
    })
    doc.transact(() => {
      for (const [pos, delCount, insText] of txn.patches) {
        if (delCount > 0) doc.delete(pos, delCount)
        if (insText.length > 0) doc.insert(pos, insText)
      }
    })
    off()
    updates.push(update)
    held[i] = 1
  })

  return { replicas, remoteApplies, ms: performance.now() - started }
}

describe('replaying the friendsforever concurrent trace', () => {
  const trace = loadTrace(TRACE)

  it('is a two-agent trace with concurrency', () => {
    expect(trace.numAgents).toBe(2)
    expect(trace.txns.some((t) => t.parents.length > 1)).toBe(true)
    expect(trace.endContent.length).toBeGreaterThan(0)
  })

  it.each(ENGINES)('reaches endContent exactly on both replicas (%s)', (engine) => {
    const { replicas, remoteApplies, ms } = replay(engine, trace)
    const [a, b] = replicas as [NoteDoc, NoteDoc]
    expect(a.held()).toBe(0)
    expect(b.held()).toBe(0)

    const exchangeStarted = performance.now()
    const toB = a.encodeDiff(b.encodeVersion())
    const toA = b.encodeDiff(a.encodeVersion())
    b.applyUpdate(toB, LINK)
    a.applyUpdate(toA, LINK)
    const exchangeMs = performance.now() - exchangeStarted

    // Compare lengths first: a failing diff of two 20 KB strings is unreadable.
    expect(a.text().length).toBe(trace.endContent.length)
    expect(a.text() === trace.endContent, 'replica a matches endContent').toBe(true)
    expect(b.text() === trace.endContent, 'replica b matches endContent').toBe(true)
    expect(b.digest()).toBe(a.digest())
    expect(b.version()).toEqual(a.version())
    console.info(
      `friendsforever on ${engine}: ${trace.txns.length} txns, ${remoteApplies} remote batches, ` +
        `replay ${ms.toFixed(0)} ms, final exchange ${exchangeMs.toFixed(0)} ms`,
    )
    for (const r of replicas) r.destroy()
  })
})
