import type { DocId, LinkId, ReplicaId } from '../ids'
import { Emitter, type Unsubscribe } from '../util/emitter'
import type { VersionVector } from '../vv/version-vector'
import type { CausalEvent, DocChange, Dot } from './types'

/** The two event streams every engine emits; kept apart from the engines so both share them. */
export class NoteEvents {
  readonly changes = new Emitter<DocChange>()
  readonly causal = new Emitter<CausalEvent>()

  constructor(
    private readonly doc: DocId,
    private readonly replica: ReplicaId,
  ) {}

  get wantsCausal(): boolean {
    return this.causal.size > 0
  }

  onChange(listener: (change: DocChange) => void): Unsubscribe {
    return this.changes.on(listener)
  }

  onCausal(listener: (event: CausalEvent) => void): Unsubscribe {
    return this.causal.on(listener)
  }

  commit(
    dot: Dot | null,
    deps: VersionVector,
    version: VersionVector,
    bytes: number,
    summary: string,
    held: number,
  ): void {
    this.causal.emit({
      doc: this.doc,
      replica: this.replica,
      kind: 'commit',
      dot,
      deps,
      version,
      link: null,
      bytes,
      held,
      summary,
    })
  }

  apply(
    link: LinkId | null,
    deps: VersionVector,
    version: VersionVector,
    bytes: number,
    held: number,
  ): void {
    this.causal.emit({
      doc: this.doc,
      replica: this.replica,
      kind: 'apply',
      dot: null,
      deps,
      version,
      link,
      bytes,
      held,
      summary: '',
    })
  }
}
