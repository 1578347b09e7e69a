import { AutomergeNote } from './automerge-note'
import type { EngineKind, NoteDoc, NoteDocOptions } from './types'
import { YjsNote } from './yjs-note'

export function createNote(engine: EngineKind, opts: NoteDocOptions): NoteDoc {
  return engine === 'yjs' ? new YjsNote(opts) : new AutomergeNote(opts)
}
