import {
  applyAwarenessUpdate,
  Awareness,
  encodeAwarenessUpdate,
  removeAwarenessStates,
} from 'y-protocols/awareness'
import * as Y from 'yjs'
import type { NoteDoc } from '../../shared/engine/types'
import { YjsNote } from '../../shared/engine/yjs-note'
import type { DocId } from '../../shared/ids'
import type { Replica } from '../../shared/sync/replica'

export interface User {
  name: string
  color: string
}

const REMOTE = 'remote'

/**
 * Cursors and names of the people in each open Yjs note (y-protocols awareness), carried over
 * the window's link in AWARENESS frames; the node passes them on to the other windows.
 */
export class Presence {
  private readonly byDoc = new Map<DocId, Awareness>()

  constructor(
    private readonly replica: Replica,
    private readonly user: User,
  ) {
    replica.events.on((e) => {
      if (e.type === 'awareness') {
        const aw = this.byDoc.get(e.doc)
        if (!aw) return
        const known = new Set(aw.getStates().keys())
        applyAwarenessUpdate(aw, e.payload, REMOTE)
        // Someone new joined: nobody keeps states for late comers, so say who is here.
        const joined = [...aw.getStates().keys()].some((c) => !known.has(c))
        if (joined && aw.getLocalState()) this.send(e.doc, aw, [aw.clientID])
      } else if (e.type === 'peer') {
        // A fresh session: tell it who is here.
        for (const [doc, aw] of this.byDoc) this.send(doc, aw, [aw.clientID])
      }
    })
    replica.links.forEach((link) =>
      link.onClose(() => {
        for (const aw of this.byDoc.values()) {
          const others = [...aw.getStates().keys()].filter((c) => c !== aw.clientID)
          removeAwarenessStates(aw, others, REMOTE)
        }
      }),
    )
  }

  for(doc: NoteDoc): Awareness {
    const existing = this.byDoc.get(doc.id)
    if (existing) return existing
    // Awareness wants a Y.Doc only for its client id; an Automerge note lends it a blank one.
    const aw = new Awareness(doc instanceof YjsNote ? doc.ydoc : new Y.Doc())
    aw.setLocalStateField('user', {
      name: this.user.name,
      color: this.user.color,
      colorLight: `${this.user.color}33`,
    })
    aw.on('update', ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
      if (origin === REMOTE) return
      this.send(doc.id, aw, [...(added ?? []), ...(updated ?? []), ...(removed ?? [])])
    })
    this.byDoc.set(doc.id, aw)
    this.send(doc.id, aw, [aw.clientID])
    return aw
  }

  private send(doc: DocId, aw: Awareness, clients: number[]): void {
    const update = encodeAwarenessUpdate(aw, clients)
    for (const link of this.replica.links) this.replica.session(link)?.sendAwareness(doc, update)
  }
}
