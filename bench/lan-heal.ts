import { ENGINES, type EngineKind, type NoteDoc } from '../shared/engine/types'
import { docId } from '../shared/ids'
import { Rng } from '../shared/util/rng'
import { progress, type Benchmark } from './lib/benchmark'
import { LanPair, until } from './lib/lan-pair'
import { rawSyncBytes } from './lib/raw-sync'
import { lackedBytes } from './lib/replica-pair'
import { row, type Row } from './lib/results'

const NAME = 'lan-heal'
const NOTES = 100
/** Edits per side while apart, spread evenly over the notes; 0 = reconnect already in sync. */
const EDITS_PER_SIDE = [1_000, 100, 0] as const
const WORDS = ['lattice', 'note', 'sync', 'heal', 'crdt', 'peer', 'merge', 'edit', 'a', 'the']
const DELETE_SHARE = 0.2

/** One commit per edit: a short word at a random place, or (a fifth of them) a delete. */
function edit(doc: NoteDoc, rng: Rng): void {
  const length = doc.text().length
  if (length > 0 && rng.chance(DELETE_SHARE)) {
    const pos = rng.int(length)
    doc.delete(pos, Math.min(1 + rng.int(4), length - pos))
  } else doc.insert(rng.int(length + 1), `${rng.pick(WORDS)} `)
}

const inSync = (pairs: readonly [NoteDoc, NoteDoc][]) =>
  pairs.every(([x, y]) => x.digest() === y.digest())

async function healCase(engine: EngineKind, edits: number, seed: number) {
  const pair = await LanPair.start()
  try {
    const ids = Array.from({ length: NOTES }, (_, i) => docId(`lan-note-${i}`))
    for (const id of ids)
      (await pair.a.node.retain(id, engine)).insert(0, `Note ${id}, held by both nodes. `)
    pair.connect()
    await until(() => pair.b.node.storedCount === NOTES)
    const copies = await pair.copies(ids, engine)
    await until(() => inSync(copies))
    await pair.disconnect()

    const rng = new Rng(seed)
    for (let i = 0; i < edits; i++) {
      const [x, y] = copies[i % NOTES] as [NoteDoc, NoteDoc]
      edit(x, rng)
      edit(y, rng)
    }
    await Promise.all([pair.a.node.flush(), pair.b.node.flush()])
    const lacked = copies.reduce((sum, [x, y]) => sum + lackedBytes(x, y), 0)
    const rawSync = copies.reduce((sum, [x, y]) => sum + rawSyncBytes(x, y), 0)
    const before = await pair.quiet(0)

    const t0 = performance.now()
    let linkedAt = NaN
    const off = pair.a.lan?.peers.onChange(() => {
      if (Number.isNaN(linkedAt)) linkedAt = performance.now() - t0
    })
    pair.connect()
    await until(() => pair.a.lan?.peers.linkCount === 1 && inSync(copies))
    const healMs = performance.now() - t0
    off?.()
    const after = await pair.quiet()
    for (const [x, y] of copies)
      if (x.text() !== y.text()) throw new Error(`${x.id}: texts differ after the heal`)
    return {
      lacked,
      rawSync,
      bytes: after.bytes - before.bytes,
      frames: after.frames - before.frames,
      healMs,
      linkedAt,
    }
  } finally {
    await pair.stop()
  }
}

export const lanHeal: Benchmark = {
  name: NAME,
  title: `LAN heal: two nodes, ${NOTES} notes, N edits on each side while apart, then one link`,
  async run() {
    const rows: Row[] = []
    for (const [e, engine] of ENGINES.entries()) {
      for (const [i, edits] of EDITS_PER_SIDE.entries()) {
        progress(NAME, `${engine}, ${edits} edits per side …`)
        const r = await healCase(engine, edits, 100 * (e + 1) + i)
        const group = edits
          ? `${engine} · ${edits.toLocaleString('en-US')} edits per side`
          : `${engine} · already in sync`
        rows.push(
          row(`${group} · bytes on the wire`, r.bytes, 'B', { baseline: edits ? r.lacked : null }),
          row(`${group} · bytes on the wire vs raw ${engine} sync`, r.bytes, 'B', {
            baseline: r.rawSync,
          }),
          row(`${group} · frames`, r.frames, 'frames'),
          row(`${group} · link up (dial + handshake)`, r.linkedAt, 'ms'),
          row(`${group} · converged`, r.healMs, 'ms'),
        )
      }
    }
    return {
      rows,
      notes: [
        `Two LAN-mode nodes in one process, each with LevelDB storage, ${NOTES} notes held by both;`,
        'apart, each side makes N edits (one commit each, a fifth deletes) spread over all notes;',
        'then one node dials the other over a loopback WebSocket.',
        'Baseline of "bytes on the wire" = what each side lacked: the sum over notes of',
        'a.encodeDiff(b.encodeVersion()) + b.encodeDiff(a.encodeVersion()). "Bytes on the wire"',
        'are WebSocket payloads both ways (LAN handshake, hello, digest, bucket, doc and ack frames).',
        "(Automerge's encodeDiff is saveSince, one chunk per change: the baseline overstates it.)",
        '"vs raw <engine> sync": baseline = what the engine\'s own sync protocol exchanges for the',
        'same notes on plain copies, note by note (y-protocols step 1 + 2 both ways; Automerge',
        'sync messages until quiet); the rest is the handshake and Lattice framing, digests and acks.',
        '"converged": from the dial until every note has the same version on both nodes.',
      ],
    }
  },
}
