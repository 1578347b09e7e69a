import { Annotation, type ChangeSpec, type Extension } from '@codemirror/state'
import { EditorView, ViewPlugin } from '@codemirror/view'
import type { NoteDoc } from '../../shared/engine/types'

const fromDoc = Annotation.define<boolean>()

/** The one replace that turns `before` into `after`: common prefix and suffix kept. */
export function textDiff(
  before: string,
  after: string,
): { from: number; to: number; insert: string } | null {
  if (before === after) return null
  let start = 0
  const max = Math.min(before.length, after.length)
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++
  let endB = before.length
  let endA = after.length
  while (
    endB > start &&
    endA > start &&
    before.charCodeAt(endB - 1) === after.charCodeAt(endA - 1)
  ) {
    endB--
    endA--
  }
  return { from: start, to: endB, insert: after.slice(start, endA) }
}

/**
 * Binds an editor to any engine's note through the `NoteDoc` interface: each local change is
 * one commit of inserts and deletes; a remote change is applied to the editor as the smallest
 * replace between the texts, so the cursor and selection map across it. (Yjs notes use
 * y-codemirror.next instead, which also draws remote cursors.)
 */
export function noteTextBinding(doc: NoteDoc): Extension {
  return [
    EditorView.updateListener.of((update) => {
      if (!update.docChanged || update.transactions.some((t) => t.annotation(fromDoc))) return
      doc.transact(() => {
        let shift = 0
        update.changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
          const at = fromA + shift
          if (toA > fromA) doc.delete(at, toA - fromA)
          if (inserted.length > 0) doc.insert(at, inserted.toString())
          shift += inserted.length - (toA - fromA)
        })
      })
    }),
    ViewPlugin.define((view) => {
      const off = doc.onChange((change) => {
        if (change.origin === 'local') return
        const d = textDiff(view.state.doc.toString(), doc.text())
        if (!d) return
        const spec: ChangeSpec = d
        view.dispatch({ changes: spec, annotations: fromDoc.of(true) })
      })
      return { destroy: off }
    }),
  ]
}
