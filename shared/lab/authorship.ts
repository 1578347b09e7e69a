import * as A from '@automerge/automerge'
import * as Y from 'yjs'
import { AutomergeNote } from '../engine/automerge-note'
import type { NoteDoc } from '../engine/types'
import { YjsNote } from '../engine/yjs-note'

/**
 * A note's text with, per character, who inserted it: its identity in the engine (the same on
 * every replica) and the actor and counter of the commit that made it. The counter compares
 * with version vectors and LabLog dots: Yjs, one past the character's clock; Automerge, the
 * sequence number of the change that held it.
 */
export interface AuthoredText {
  readonly text: string
  readonly ids: readonly string[]
  readonly actors: readonly string[]
  readonly seqs: readonly number[]
}

/** Yjs character ids: `client:clock`, the form `yjsDeleted` uses too. */
export const yjsCharId = (client: number, clock: number): string => `${client}:${clock}`

export function authorship(doc: NoteDoc): AuthoredText {
  if (doc instanceof YjsNote) return yjsAuthorship(doc)
  if (doc instanceof AutomergeNote) return automergeAuthorship(doc)
  throw new Error(`no authorship for engine ${doc.engine}`)
}

function yjsAuthorship(note: YjsNote): AuthoredText {
  const out = { text: '', ids: [] as string[], actors: [] as string[], seqs: [] as number[] }
  for (let item = note.body._start; item; item = item.right) {
    if (item.deleted || !(item.content instanceof Y.ContentString)) continue
    const { client, clock } = item.id
    const str = item.content.str
    out.text += str
    for (let i = 0; i < str.length; i++) {
      out.ids.push(yjsCharId(client, clock + i))
      out.actors.push(String(client))
      out.seqs.push(clock + i + 1)
    }
  }
  return out
}

/** Automerge: a cursor is the character's op id, `counter@actor`; its change gives the seq. */
function automergeAuthorship(note: AutomergeNote): AuthoredText {
  const doc = note.current
  const text = note.text()
  const changes = new Map<string, Array<{ startOp: number; maxOp: number; seq: number }>>()
  for (const m of A.getChangesMetaSince(doc, [])) {
    const list = changes.get(m.actor) ?? []
    list.push({ startOp: m.startOp, maxOp: m.maxOp, seq: m.seq })
    changes.set(m.actor, list)
  }
  for (const list of changes.values()) list.sort((a, b) => a.startOp - b.startOp)
  const ids: string[] = []
  const actors: string[] = []
  const seqs: number[] = []
  for (let i = 0; i < text.length; i++) {
    const id = A.getCursor(doc, ['body'], i)
    const at = id.indexOf('@')
    const actor = id.slice(at + 1)
    ids.push(id)
    actors.push(actor)
    seqs.push(seqOf(changes.get(actor) ?? [], Number(id.slice(0, at))))
  }
  return { text, ids, actors, seqs }
}

function seqOf(list: ReadonlyArray<{ startOp: number; maxOp: number; seq: number }>, op: number) {
  let lo = 0
  let hi = list.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const c = list[mid] as { startOp: number; maxOp: number; seq: number }
    if (op < c.startOp) hi = mid - 1
    else if (op > c.maxOp) lo = mid + 1
    else return c.seq
  }
  return 0
}
