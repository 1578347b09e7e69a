import * as A from '@automerge/automerge'
import type * as Y from 'yjs'
import { AutomergeNote } from '../engine/automerge-note'
import type { NoteDoc } from '../engine/types'
import { YjsNote } from '../engine/yjs-note'
import type { Unsubscribe } from '../util/emitter'
import { yjsCharId } from './authorship'

/** One step of an edit, at a position in the text as the previous steps left it. */
export type EditOp =
  | { readonly at: number; readonly insert: string }
  | { readonly at: number; readonly delete: number }

/** One local commit as positions and text, and the characters it deleted (authorship ids). */
export interface LocalEdit {
  readonly ops: readonly EditOp[]
  readonly deleted: readonly string[]
}

/** Applies the ops as one commit, as a person's keystroke would be. */
export function applyEdit(doc: NoteDoc, ops: readonly EditOp[]): void {
  doc.transact(() => {
    for (const op of ops)
      if ('insert' in op) doc.insert(op.at, op.insert)
      else doc.delete(op.at, op.delete)
  })
}

/**
 * Reports each local commit of the note's text, whoever made it (an editor binding or
 * `insert`), after the commit's causal event: what a recorder needs to type it again.
 */
export function watchLocalEdits(doc: NoteDoc, listener: (edit: LocalEdit) => void): Unsubscribe {
  if (doc instanceof YjsNote) return watchYjs(doc, listener)
  if (doc instanceof AutomergeNote) return watchAutomerge(doc, listener)
  throw new Error(`cannot watch edits of engine ${doc.engine}`)
}

function watchYjs(note: YjsNote, listener: (edit: LocalEdit) => void): Unsubscribe {
  let ops: EditOp[] = []
  let deleted: string[] = []
  // Observers run inside the transaction's cleanup, before the update that reports the commit.
  const observer = (event: Y.YTextEvent, tr: Y.Transaction) => {
    if (!tr.local) return
    let at = 0
    for (const d of event.delta) {
      if (d.retain) at += d.retain
      else if (typeof d.insert === 'string') {
        ops.push({ at, insert: d.insert })
        at += d.insert.length
      } else if (d.delete) ops.push({ at, delete: d.delete })
    }
    // (A text event's `changes.deleted` stays empty; the transaction's delete set is exact.)
    for (const [client, ranges] of tr.deleteSet.clients)
      for (const r of ranges)
        for (let i = 0; i < r.len; i++) deleted.push(yjsCharId(client, r.clock + i))
  }
  note.body.observe(observer)
  const off = note.onChange((change) => {
    if (change.origin !== 'local' || ops.length === 0) return
    const edit = { ops, deleted }
    ops = []
    deleted = []
    listener(edit)
  })
  return () => {
    note.body.unobserve(observer)
    off()
  }
}

function watchAutomerge(note: AutomergeNote, listener: (edit: LocalEdit) => void): Unsubscribe {
  let heads = A.getHeads(note.current)
  const body = A.getObjectId(note.current, 'body')
  return note.onChange((change) => {
    const before = heads
    heads = A.getHeads(note.current)
    if (change.origin !== 'local') return
    const ops: EditOp[] = []
    for (const p of A.diff(note.current, before, heads)) {
      if (p.path[0] !== 'body' || p.path.length !== 2) continue
      const at = p.path[1] as number
      if (p.action === 'splice') ops.push({ at, insert: p.value })
      else if (p.action === 'del') ops.push({ at, delete: p.length ?? 1 })
    }
    if (ops.length === 0) return
    // A deletion in a list or text names its element as `elemId` (the types say `key`).
    const deleted = A.decodeChange(change.update())
      .ops.map((op) => op as typeof op & { elemId?: string })
      .filter((op) => op.action === 'del' && op.obj === body)
      .map((op) => op.elemId ?? op.key)
    listener({ ops, deleted })
  })
}
