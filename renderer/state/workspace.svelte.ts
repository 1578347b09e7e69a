import type { EngineKind, NoteDoc } from '../../shared/engine/types'
import { docId, type DocId } from '../../shared/ids'
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
  readonly selected = $derived(this.entries.find((e) => e.id === this.selectedId) ?? null)

  constructor(readonly win: WindowReplica) {
    this.status = win.status()
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
      const m = /note=([^&]+)/.exec(location.hash)
      this.selectedId = m ? docId(decodeURIComponent(m[1] as string)) : null
    }
    fromHash()
    window.addEventListener('hashchange', fromHash)
    $effect.root(() => {
      $effect(() => {
        const want = this.selectedId ? `#note=${encodeURIComponent(this.selectedId)}` : ''
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
