import { RangeSetBuilder, StateEffect, StateField, type Extension } from '@codemirror/state'
import {
  Decoration,
  EditorView,
  ViewPlugin,
  WidgetType,
  type DecorationSet,
} from '@codemirror/view'
import type { Awareness } from 'y-protocols/awareness'
import { cursorPublisher } from './cursor-publisher'
import type { NoteDoc } from '../../shared/engine/types'

interface Peer {
  name: string
  color: string
  anchor: number
  head: number
}

class Caret extends WidgetType {
  constructor(private readonly peer: Peer) {
    super()
  }
  override eq(other: Caret): boolean {
    return other.peer.name === this.peer.name && other.peer.color === this.peer.color
  }
  toDOM(): HTMLElement {
    const caret = document.createElement('span')
    caret.className = 'cm-remoteCaret'
    caret.style.borderLeftColor = this.peer.color
    const label = document.createElement('span')
    label.className = 'cm-remoteCaretLabel'
    label.style.backgroundColor = this.peer.color
    label.textContent = this.peer.name
    caret.append(label)
    return caret
  }
}

const setPeers = StateEffect.define<Peer[]>()

const peersField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decos, tr) {
    for (const e of tr.effects) if (e.is(setPeers)) return decorate(e.value, tr.state.doc.length)
    return decos.map(tr.changes)
  },
  provide: (f) => EditorView.decorations.from(f),
})

function decorate(peers: Peer[], length: number): DecorationSet {
  const marks: Array<{ from: number; to: number; deco: Decoration }> = []
  for (const p of peers) {
    const head = Math.min(p.head, length)
    const anchor = Math.min(p.anchor, length)
    if (anchor !== head)
      marks.push({
        from: Math.min(anchor, head),
        to: Math.max(anchor, head),
        deco: Decoration.mark({ attributes: { style: `background-color: ${p.color}33` } }),
      })
    marks.push({ from: head, to: head, deco: Decoration.widget({ widget: new Caret(p), side: 1 }) })
  }
  marks.sort((a, b) => a.from - b.from || a.to - b.to)
  const builder = new RangeSetBuilder<Decoration>()
  for (const m of marks) builder.add(m.from, m.to, m.deco)
  return builder.finish()
}

/**
 * Other people's cursors and selections for any engine, through the note's stable positions
 * (`cursorAt` / `cursorIndex`) carried in awareness. (Yjs notes use y-codemirror.next's own.)
 */
export function remoteCursors(doc: NoteDoc, awareness: Awareness): Extension {
  const plugin = ViewPlugin.define((view) => {
    const redraw = () => {
      const peers: Peer[] = []
      for (const [client, state] of awareness.getStates()) {
        if (client === awareness.clientID) continue
        const cursor = state.cursor as { anchor?: string; head?: string } | undefined
        const user = state.user as { name?: string; color?: string } | undefined
        if (!cursor?.anchor || !cursor.head) continue
        const anchor = doc.cursorIndex(cursor.anchor)
        const head = doc.cursorIndex(cursor.head)
        if (anchor === null || head === null) continue
        peers.push({ name: user?.name ?? 'Someone', color: user?.color ?? '#888', anchor, head })
      }
      view.dispatch({ effects: setPeers.of(peers) })
    }
    // Never dispatch from inside an editor update (setting our own cursor fires 'change').
    let queued = false
    let destroyed = false
    const schedule = () => {
      if (queued || destroyed) return
      queued = true
      queueMicrotask(() => {
        queued = false
        if (!destroyed) redraw()
      })
    }
    const offDoc = doc.onChange(schedule)
    awareness.on('change', schedule)
    schedule()
    const publish = cursorPublisher((cursor) => awareness.setLocalStateField('cursor', cursor))
    return {
      update(update) {
        if (!update.selectionSet && !update.focusChanged) return
        const sel = update.state.selection.main
        if (!update.view.hasFocus) return
        publish.set({ anchor: doc.cursorAt(sel.anchor), head: doc.cursorAt(sel.head) })
      },
      destroy() {
        destroyed = true
        publish.stop()
        offDoc()
        awareness.off('change', schedule)
      },
    }
  })
  return [
    peersField,
    plugin,
    EditorView.baseTheme({
      '.cm-remoteCaret': {
        position: 'relative',
        borderLeft: '2px solid',
        marginLeft: '-1px',
        marginRight: '-1px',
      },
      '.cm-remoteCaretLabel': {
        position: 'absolute',
        top: '-1.3em',
        left: '-2px',
        fontSize: '11px',
        padding: '0 3px',
        color: 'white',
        whiteSpace: 'nowrap',
        borderRadius: '3px 3px 3px 0',
        pointerEvents: 'none',
      },
    }),
  ]
}
