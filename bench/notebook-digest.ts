import type { NoteDoc } from '../shared/engine/types'
import { docId, type DocId } from '../shared/ids'
import { Rng } from '../shared/util/rng'
import { progress, type Benchmark } from './lib/benchmark'
import { converged, describeFrames, replicaPair, type Traffic } from './lib/replica-pair'
import { row, valueAtMost, type Row } from './lib/results'

const NAME = 'notebook-digest'
const NOTES = 10_000
const EDITED = 10
const SEED = 7
/** Framing of one state-vector message in the naive exchange: type, engine, length varints. */
const FRAMING_BYTES = 3
const utf8 = new TextEncoder()

const noteId = (i: number): DocId => docId(`note-${String(i).padStart(5, '0')}`)

/**
 * Bytes of the naive anti-entropy this digest replaces: both sides send every note's state
 * vector (id, a separator, the vector, framing).
 */
function stateVectorExchangeBytes(docs: Iterable<NoteDoc>): number {
  let one = 0
  for (const doc of docs)
    one += utf8.encode(doc.id).length + 1 + doc.encodeVersion().length + FRAMING_BYTES
  return 2 * one
}

function trafficRows(group: string, t: Traffic, naive: number): Row[] {
  return [
    row(`${group} · bytes exchanged`, t.bytes, 'B', { baseline: naive }),
    row(`${group} · frames`, t.frames, 'frames'),
    row(`${group} · round trips`, t.roundTrips, 'RTT'),
  ]
}

export const notebookDigest: Benchmark = {
  name: NAME,
  title: `Notebook anti-entropy: two full replicas holding the same ${NOTES.toLocaleString('en-US')} Yjs notes`,
  async run() {
    progress(NAME, `creating ${NOTES} notes on each replica …`)
    const pair = replicaPair(SEED)
    const ids = Array.from({ length: NOTES }, (_, i) => noteId(i))
    for (const [i, id] of ids.entries()) {
      const doc = pair.a.createDoc(id, 'yjs')
      doc.setTitle(`Note ${i}`)
      doc.insert(0, `Short content of note ${i}.`)
      pair.b.createDoc(id, 'yjs').applyUpdate(doc.encodeState(), 'load')
    }
    const naive = stateVectorExchangeBytes(pair.a.allDocs())

    progress(NAME, `editing ${EDITED} notes on a, then healing …`)
    const rng = new Rng(SEED)
    const edited = new Set<DocId>()
    while (edited.size < EDITED) edited.add(rng.pick(ids))
    for (const id of edited) pair.a.getDoc(id)?.insert(0, 'Edited while apart. ')
    const heal = pair.heal()
    for (const id of edited) {
      const [, copy] = converged(pair, id)
      if (!copy.text().startsWith('Edited while apart. '))
        throw new Error(`${id}: edit missing on b`)
    }
    for (const id of ids) converged(pair, id)

    progress(NAME, 'reconnecting replicas already in sync …')
    pair.disconnect()
    const inSync = pair.heal()
    const extraFrames =
      inSync.frames - (inSync.frameTypes.hello ?? 0) - (inSync.frameTypes.digest ?? 0)

    const group = `${EDITED} of ${NOTES} notes edited`
    return {
      rows: [
        ...trafficRows(group, heal, naive),
        ...trafficRows('already in sync', inSync, naive),
        row('already in sync · frames besides hello and digest', extraFrames, 'frames', {
          target: valueAtMost(0),
        }),
      ],
      notes: [
        "Baseline = a full exchange of every note's state vector both ways:",
        `2 × Σ (UTF-8 id + 1 + encodeVersion() + ${FRAMING_BYTES} framing) = ${naive.toLocaleString('en-US')} B.`,
        `${group}: ${describeFrames(heal)}`,
        `already in sync: ${describeFrames(inSync)}`,
      ],
    }
  },
}
