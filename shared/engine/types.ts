import type { DocId, LinkId, ReplicaId } from '../ids'
import type { Unsubscribe } from '../util/emitter'
import type { VersionVector } from '../vv/version-vector'

export const ENGINES = ['yjs', 'automerge'] as const
export type EngineKind = (typeof ENGINES)[number]

export function isEngineKind(v: unknown): v is EngineKind {
  return v === 'yjs' || v === 'automerge'
}

/** Where a change came from: a local edit, a remote link, or storage at load time. */
export type Origin = LinkId | 'local' | 'load'

/** One engine-level event: an actor's counter reaching a value. */
export interface Dot {
  readonly actor: string
  readonly counter: number
}

/**
 * One local commit or remote apply, enough to draw a space-time diagram: the dot the commit
 * created, the version it depended on, the version after, and the link it came over.
 */
export interface CausalEvent {
  readonly doc: DocId
  readonly replica: ReplicaId
  readonly kind: 'commit' | 'apply'
  /** commit: the engine dot this commit created (null for a Yjs delete-only commit). */
  readonly dot: Dot | null
  readonly deps: VersionVector
  readonly version: VersionVector
  readonly link: LinkId | null
  readonly bytes: number
  /** Updates (Yjs) or changes (Automerge) received but waiting on a missing dependency. */
  readonly held: number
  /** The text this event inserted (commits only; for the Lab's detail view). */
  readonly summary: string
}

export interface DocChange {
  readonly origin: Origin
  /**
   * The change also released updates held from other links, so even its origin link may
   * lack part of it: forward it there too.
   */
  readonly mixed?: boolean
  /** Bytes that, applied with `applyUpdate`, reproduce this change elsewhere (computed lazily). */
  update(): Uint8Array
}

/** Per-link, per-document sync driver. Payloads are the engine's own sync messages. */
export interface DocSync {
  /** Messages to send when this document starts syncing on the link. */
  start(): Uint8Array[]
  /** Apply a peer message; returns the replies. Throws `SyncMessageError` on malformed input. */
  receive(message: Uint8Array): Uint8Array[]
  /** After the document changed, what this peer now needs. */
  afterChange(change: DocChange): Uint8Array[]
}

export class SyncMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SyncMessageError'
  }
}

export interface NoteDoc {
  readonly id: DocId
  readonly engine: EngineKind
  readonly replica: ReplicaId
  /** This replica's actor in the engine (Yjs client id, Automerge actor hex). */
  readonly actor: string
  title(): string
  text(): string
  insert(pos: number, text: string): void
  delete(pos: number, len: number): void
  setTitle(title: string): void
  /** A position in the text that moves with concurrent edits (for remote cursors), as text. */
  cursorAt(index: number): string
  /** Where a `cursorAt` position is now; null if it doesn't belong to this document. */
  cursorIndex(cursor: string): number | null
  /** Several edits as one commit. */
  transact(fn: () => void): void
  version(): VersionVector
  /** A short hash of the full version (Yjs: state vector and delete set; Automerge: heads). */
  digest(): string
  /** Updates or changes received but waiting on something missing. */
  held(): number
  encodeState(): Uint8Array
  /** The engine's compact description of what this replica has (Yjs state vector, Automerge heads). */
  encodeVersion(): Uint8Array
  /** The difference a peer at `peerVersion` (from its `encodeVersion`) lacks. */
  encodeDiff(peerVersion: Uint8Array): Uint8Array
  /**
   * How much of this replica a peer at `peerVersion` (its `encodeVersion`) has not seen, for
   * "3 edits only here": Yjs counts inserted items (clock ticks; a deletion adds none), Automerge
   * counts changes. 0 means the peer has everything here that a version can show. Automerge
   * cannot see past heads it does not know, so it may over-count then, never under-count.
   */
  unseenBy(peerVersion: Uint8Array): number
  /**
   * A peer's encoded version (`encodeVersion`, as ACKs carry it) as a version vector, as far as
   * this replica can tell: exact for Yjs; for Automerge, counting only the heads it holds.
   */
  versionAt(peerVersion: Uint8Array): VersionVector
  /** One update equivalent to applying `updates` in order (storage writes a burst as one). */
  mergeUpdates(updates: readonly Uint8Array[]): Uint8Array
  /** Apply bytes from `encodeState`, `encodeDiff` or a change's `update()`: idempotent, any order. */
  applyUpdate(update: Uint8Array, origin: Origin): void
  createSync(link: LinkId): DocSync
  onChange(listener: (change: DocChange) => void): Unsubscribe
  onCausal(listener: (event: CausalEvent) => void): Unsubscribe
  destroy(): void
}

export interface NoteDocOptions {
  id: DocId
  replica: ReplicaId
  /** Deterministic actor for simulations; random otherwise. */
  actorSeed?: number
}
