import type { EngineKind } from '../../shared/engine/types'
import type { DocId } from '../../shared/ids'

/** What a store holds for one document: its engine and the updates that rebuild it, in order. */
export interface StoredDoc {
  readonly engine: EngineKind
  /** A snapshot (if compacted) followed by the updates appended since. */
  readonly updates: Uint8Array[]
  /** Sequence number of the last update; `compact` takes it to replace everything up to it. */
  readonly seq: number
}

export interface DocInfo {
  readonly id: DocId
  readonly engine: EngineKind
  /** Bytes on disk for this document (values, roughly; keys and LevelDB overhead excluded). */
  readonly bytes: number
  /** Updates appended since the last snapshot. */
  readonly logLength: number
  /**
   * The document's version digest as stored, when recorded since the last append (a node
   * records it when it unloads a document); null: load the document to learn it.
   */
  readonly digest: string | null
}

/** A record that could not be read back: reported by name, never replaced by an empty document. */
export class CorruptRecordError extends Error {
  constructor(
    readonly record: string,
    detail: string,
  ) {
    super(`corrupt record ${record}: ${detail}`)
    this.name = 'CorruptRecordError'
  }
}

/**
 * Durable document storage: an append log of updates per document, compacted into a snapshot.
 * `append` resolves only once the update is durably written; that is when an edit counts as
 * acknowledged. Every implementation passes tests/unit/sync-server/doc-store-suite.ts.
 */
/** Told about each document whose meta record cannot be read; `list` then goes on without it. */
export type UnreadableHandler = (id: string, err: CorruptRecordError) => void

export interface DocStore {
  /**
   * Every stored document. A damaged meta record throws `CorruptRecordError`, unless
   * `onUnreadable` is given: then it is reported there and the listing goes on.
   */
  list(onUnreadable?: UnreadableHandler): Promise<DocInfo[]>
  /** null when the document does not exist; throws `CorruptRecordError` naming a bad record. */
  load(id: DocId): Promise<StoredDoc | null>
  append(id: DocId, engine: EngineKind, update: Uint8Array): Promise<number>
  /**
   * Notes the version digest of the document as now stored, so opening the store need not load
   * it; after any later append the store reports null again.
   */
  recordDigest(id: DocId, digest: string): Promise<void>
  /** Replaces the snapshot and every update up to `uptoSeq` with `snapshot`, atomically. */
  compact(id: DocId, snapshot: Uint8Array, uptoSeq: number): Promise<void>
  delete(id: DocId): Promise<void>
  /** Total bytes of stored values. */
  size(): Promise<number>
  close(): Promise<void>
}
