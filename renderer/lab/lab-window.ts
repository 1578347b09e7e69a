import { isEngineKind, type EngineKind } from '../../shared/engine/types'
import { DESKTOP_GLOBAL } from '../../shared/desktop/api'
import { docId, isValidId, type DocId } from '../../shared/ids'

/** A note the Lab is about. */
export interface LabNote {
  readonly doc: DocId
  readonly engine: EngineKind
}

/** `?lab=<note>&engine=<engine>`: the window shows only the Lab for that note. */
export function labRoute(params: URLSearchParams): LabNote | null {
  const id = params.get('lab')
  if (!id || !isValidId(id)) return null
  const engine = params.get('engine')
  return { doc: docId(id), engine: isEngineKind(engine) ? engine : 'yjs' }
}

/** The Lab window's URL for a note, from this window's (its node token kept). */
export function labWindowUrl(note: LabNote, from: string): string {
  const here = new URL(from)
  const params = new URLSearchParams({ lab: note.doc, engine: note.engine })
  const token = here.searchParams.get('token')
  if (token) params.set('token', token)
  return new URL(`?${params}`, here).href
}

/**
 * Opens the Lab for a note in a window of its own; false if the host would not. In the
 * desktop app main opens it (as an app window of its own) and the page gets no handle back.
 */
export function openLabWindow(doc: DocId, engine: EngineKind): boolean {
  const url = labWindowUrl({ doc, engine }, location.href)
  const opened = window.open(url, '_blank', 'popup,width=1200,height=860') !== null
  return opened || DESKTOP_GLOBAL in window
}

/** Alt+Shift+L opens the Lab window for the note `current` names (Alt+L toggles the panel). */
export function bindLabWindowKey(
  target: Window,
  current: () => { id: DocId; engine: EngineKind } | null,
): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (!(e.altKey && e.shiftKey && !e.ctrlKey && e.code === 'KeyL')) return
    const note = current()
    if (!note) return
    e.preventDefault()
    openLabWindow(note.id, note.engine)
  }
  target.addEventListener('keydown', onKey)
  return () => target.removeEventListener('keydown', onKey)
}
