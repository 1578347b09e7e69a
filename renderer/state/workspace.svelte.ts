import { isEngineKind, type EngineKind, type NoteDoc } from '../../shared/engine/types'
import { docId, isValidId, type DocId } from '../../shared/ids'
import type { NoteEntry } from '../../shared/notebook/notebook'
import type { PeerStatus, WindowReplica } from '../sync/window-replica'

/** The window's view of its notebook: the list, the search, the selection, the sync status. */
export class Workspace {
  entries = $state.raw<NoteEntry[]>([])
  query = $state('')
  showTrash = $state(false)
  selectedId = $state<DocId | null>(null)
  status = $state.raw<PeerStatus>()
  /** Set when the last action failed; shown until the next one. */
  error = $state<string | null>(null)

  readonly visible = $derived.by(() => {
    const q = this.query.trim().toLowerCase()
    return this.entries.filter(
      (e) =>
        e.trashed === this.showTrash && (q === '' || displayTitle(e).toLowerCase().includes(q)),
    )
  })
  /** The note the URL named, with its engine: opened before the notebook arrives. */
  private hinted = $state.raw<{ id: DocId; engine: EngineKind } | null>(null)
  /** The node has sent its notebook (or the window works from its cache alone). */
  private notebookReady = $state(false)

  readonly selected = $derived.by((): NoteEntry | null => {
    const entry = this.entries.find((e) => e.id === this.selectedId)
    if (entry) return entry
    // Until the notebook arrives, the note in the URL shows at once; a stale URL then clears.
    const h = this.hinted
    if (h && h.id === this.selectedId && !this.notebookReady)
      return {
        id: h.id,
        engine: h.engine,
        title: '',
        created: 0,
        trashed: false,
        trashedDigest: null,
        purged: false,
        revived: false,
      }
    return null
  })

  constructor(readonly win: WindowReplica) {
    this.status = win.status()
    void win.notebookReady.then(() => {
      this.notebookReady = true
      // A URL that named the wrong engine: that copy can never sync, so let it go.
      const h = this.hinted
      const entry = h && win.notebook.get(h.id)
      if (h && entry && entry.engine !== h.engine) win.forget(h.id)
    })
    const refresh = () => (this.entries = win.notebook.list())
    refresh()
    win.notebook.onChange(refresh)
    let queued = false
    win.onStatus(() => {
      if (queued) return
      queued = true
      requestAnimationFrame(() => {
        queued = false
        this.status = win.status()
      })
    })
  }

  select(id: DocId | null): void {
    this.selectedId = id
  }

  /** The selected note's document, opened in this window. */
  docOf(entry: NoteEntry): NoteDoc {
    return this.win.open(entry.id, entry.engine)
  }

  create(engine: EngineKind = 'yjs'): DocId {
    const id = this.win.createNote(engine, '')
    this.showTrash = false
    this.query = ''
    this.selectedId = id
    return id
  }

  rename(id: DocId, title: string): void {
    this.attempt(() => this.win.notebook.rename(id, title))
  }

  trash(id: DocId): void {
    this.attempt(() => {
      const entry = this.entries.find((e) => e.id === id)
      if (!entry) return
      this.win.notebook.trash(id, this.docOf(entry).digest())
      if (this.selectedId === id) this.selectedId = null
    })
  }

  restore(id: DocId): void {
    this.attempt(() => this.win.notebook.restore(id))
  }

  /** Cuts this window's link; the choice survives a reload of the window. */
  setOffline(offline: boolean): void {
    this.win.setOffline(offline)
    sessionStorage.setItem('lattice.offline', offline ? '1' : '0')
  }

  /** Keeps the open note in the URL hash, so a reload or the same URL elsewhere opens it. */
  followUrl(): void {
    const fromHash = () => {
      const params = new URLSearchParams(location.hash.slice(1))
      const note = params.get('note')
      const engine = params.get('engine')
      this.selectedId = note && isValidId(note) ? docId(note) : null
      if (this.selectedId && isEngineKind(engine)) {
        this.hinted = { id: this.selectedId, engine }
        // Subscribe now: the note syncs alongside the notebook, not after it.
        this.win.open(this.selectedId, engine)
      }
    }
    fromHash()
    window.addEventListener('hashchange', fromHash)
    $effect.root(() => {
      $effect(() => {
        const s = this.selected
        const want = s ? `#note=${encodeURIComponent(s.id)}&engine=${s.engine}` : ''
        if (location.hash !== want)
          history.replaceState(null, '', want || location.pathname + location.search)
      })
    })
  }

  private attempt(fn: () => void): void {
    try {
      this.error = null
      fn()
    } catch (err) {
      this.error = (err as Error).message
    }
  }
}

export function displayTitle(e: NoteEntry): string {
  return e.title.trim() || 'Untitled'
}
