/**
 * The node's own links to other machines (its relay, each LAN peer), as the Lab shows and
 * switches them: a status listing each link with its fault, and a request setting one link's
 * fault. The node checks every request (a window is not trusted); the fault is the core's
 * faulty link inside the node (shared/sync/fault-gate.ts), nothing in the window.
 */
import { docId, isValidId, type DocId } from '../ids'
import { isLinkFault, type LinkFault } from '../sync/fault-gate'
import type { Relation } from '../vv/version-vector'

export { LINK_FAULTS, type LinkFault } from '../sync/fault-gate'

/** 'relay', or 'lan:' and the LAN peer's node id. */
export type NodeLinkKey = 'relay' | `lan:${string}`

export interface NodeLinkStatus {
  readonly key: NodeLinkKey
  readonly kind: 'relay' | 'lan'
  /** The relay's address, or the LAN peer's node id. */
  readonly peer: string
  readonly connection: 'connecting' | 'open' | 'waiting' | 'closed'
  /** Notes changed here that the peer has not acknowledged as stored. */
  readonly pendingNotes: number
  /** 'out': this node's frames to the peer are dropped; 'in': the peer's frames to it. */
  readonly fault: LinkFault
  /**
   * How the version the peer last acknowledged of the note asked about relates to this node's
   * copy ('before': the peer lacks some of it); null without an ACK or a note in memory.
   */
  readonly noteRelation: Relation | null
}

export interface NodeLinksStatus {
  readonly links: readonly NodeLinkStatus[]
  /** LAN mode is on (peers may link even when none is listed now). */
  readonly lanOn: boolean
}

export interface NodeLinkRequest {
  readonly link: NodeLinkKey
  readonly fault: LinkFault
}

export type NodeLinkResult =
  | { readonly ok: true; readonly status: NodeLinksStatus }
  | { readonly ok: false; readonly error: string }

export const NO_NODE_LINKS: NodeLinksStatus = { links: [], lanOn: false }

export class NodeLinkRequestError extends Error {
  override name = 'NodeLinkRequestError'
}

export function isNodeLinkKey(v: unknown): v is NodeLinkKey {
  if (typeof v !== 'string') return false
  return v === 'relay' || (v.startsWith('lan:') && isValidId(v.slice(4)))
}

/** A checked request, or a `NodeLinkRequestError` saying what is wrong. */
export function parseNodeLinkRequest(input: unknown): NodeLinkRequest {
  if (typeof input !== 'object' || input === null)
    throw new NodeLinkRequestError('no request given')
  const { link, fault } = input as Record<string, unknown>
  if (!isNodeLinkKey(link))
    throw new NodeLinkRequestError(
      `unknown link ${JSON.stringify(link)?.slice(0, 60)}: use "relay" or "lan:<peer id>"`,
    )
  if (!isLinkFault(fault))
    throw new NodeLinkRequestError(
      `unknown fault ${JSON.stringify(fault)?.slice(0, 60)}: use "open", "both", "out" or "in"`,
    )
  return { link, fault }
}

/** The note a status is asked about: none, or a valid note id (else a NodeLinkRequestError). */
export function parseStatusNote(input: unknown): DocId | null {
  if (input === undefined || input === null || input === '') return null
  if (typeof input !== 'string' || !isValidId(input))
    throw new NodeLinkRequestError(`invalid note id ${JSON.stringify(input)?.slice(0, 60)}`)
  return docId(input)
}
