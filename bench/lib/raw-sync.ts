import * as A from '@automerge/automerge'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { AutomergeNote } from '../../shared/engine/automerge-note'
import type { NoteDoc } from '../../shared/engine/types'
import { YjsNote } from '../../shared/engine/yjs-note'

/**
 * Bytes the engine's own sync protocol exchanges to bring copies of `x` and `y` level, run on
 * plain copies outside Lattice: the raw library's cost of the same heal.
 */
export function rawSyncBytes(x: NoteDoc, y: NoteDoc): number {
  if (x instanceof YjsNote && y instanceof YjsNote) return yjsSyncBytes(x.ydoc, y.ydoc)
  if (x instanceof AutomergeNote && y instanceof AutomergeNote)
    return automergeSyncBytes(x.current, y.current)
  throw new Error(`rawSyncBytes: unsupported pair ${x.engine} / ${y.engine}`)
}

const copyOf = (doc: Y.Doc): Y.Doc => {
  const copy = new Y.Doc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  return copy
}

/** y-protocols: both sides send step 1 (state vector), both answer with step 2 (the diff). */
function yjsSyncBytes(x: Y.Doc, y: Y.Doc): number {
  const [a, b] = [copyOf(x), copyOf(y)]
  const step1 = (doc: Y.Doc) => {
    const enc = encoding.createEncoder()
    syncProtocol.writeSyncStep1(enc, doc)
    return encoding.toUint8Array(enc)
  }
  /** Feeds `message` to `doc`; returns the reply (empty when there is none). */
  const receive = (doc: Y.Doc, message: Uint8Array) => {
    const enc = encoding.createEncoder()
    syncProtocol.readSyncMessage(decoding.createDecoder(message), enc, doc, 'raw')
    return encoding.toUint8Array(enc)
  }
  const [s1a, s1b] = [step1(a), step1(b)]
  const s2b = receive(b, s1a)
  const s2a = receive(a, s1b)
  receive(a, s2b)
  receive(b, s2a)
  const bytes = s1a.length + s1b.length + s2a.length + s2b.length
  a.destroy()
  b.destroy()
  return bytes
}

/**
 * Automerge's sync protocol between two clones, in rounds as two peers that connect at once
 * run it: both generate, both receive, until neither has anything to send.
 */
function automergeSyncBytes<T>(x: A.Doc<T>, y: A.Doc<T>): number {
  let [a, b] = [A.clone(x), A.clone(y)]
  let [sa, sb] = [A.initSyncState(), A.initSyncState()]
  let bytes = 0
  for (;;) {
    const [sa2, toB] = A.generateSyncMessage(a, sa)
    const [sb2, toA] = A.generateSyncMessage(b, sb)
    ;[sa, sb] = [sa2, sb2]
    if (!toB && !toA) break
    if (toB) [b, sb] = A.receiveSyncMessage(b, sb, toB)
    if (toA) [a, sa] = A.receiveSyncMessage(a, sa, toA)
    bytes += (toB?.length ?? 0) + (toA?.length ?? 0)
  }
  if (A.getHeads(a).join() !== A.getHeads(b).join()) throw new Error('raw Automerge sync diverged')
  A.free(a)
  A.free(b)
  return bytes
}
