import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands'
import { markdown } from '@codemirror/lang-markdown'
import { EditorState, type Extension } from '@codemirror/state'
import { drawSelection, EditorView, keymap, placeholder } from '@codemirror/view'
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next'
import type { Awareness } from 'y-protocols/awareness'
import type { NoteDoc } from '../../shared/engine/types'
import { YjsNote } from '../../shared/engine/yjs-note'
import { remoteCursors } from './remote-cursors'
import { noteTextBinding } from './text-binding'

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '15px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.6' },
  '.cm-content': { padding: '16px 0', caretColor: 'var(--accent)' },
  '&.cm-focused': { outline: 'none' },
})

/** A Markdown editor on the note's current text, bound to its CRDT for live sync. */
export function createEditor(
  parent: HTMLElement,
  doc: NoteDoc,
  awareness: Awareness | null,
): EditorView {
  const binding: Extension =
    doc instanceof YjsNote
      ? [yCollab(doc.body, awareness), keymap.of(yUndoManagerKeymap)]
      : [
          noteTextBinding(doc),
          history(),
          keymap.of(historyKeymap),
          awareness ? remoteCursors(doc, awareness) : [],
        ]
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: doc.text(),
      extensions: [
        binding,
        markdown(),
        drawSelection(),
        EditorView.lineWrapping,
        placeholder('Start typing…'),
        keymap.of([...defaultKeymap, indentWithTab]),
        theme,
        EditorView.contentAttributes.of({ 'aria-label': 'Note text', 'data-testid': 'editor' }),
      ],
    }),
  })
}
