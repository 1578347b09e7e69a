/**
 * Lattice wire protocol, version 1. Transport-free: a link carries whole binary frames.
 *
 * Every frame is `messageType: varUint` followed by that type's fields (lib0 encoding: varUint
 * is LEB128, varString is varUint length + UTF-8, varBytes is varUint length + bytes).
 *
 *   0 HELLO     magic varString "lattice" · version varUint · peerId varString · mode varUint
 *               (0 full: replicates every document; 1 partial: only documents it opens)
 *   1 DIGEST    docCount varUint · bucketCount varUint (power of two) · bucketCount × 8 bytes
 *   2 BUCKET    bucketCount varUint · bucket varUint · n varUint · n × (docId varString ·
 *               engine varUint · digest 8 bytes)
 *   3 DOC       docId varString · engine varUint (0 yjs, 1 automerge) · payload varBytes
 *               (Yjs: a y-protocols sync message, step 1 / step 2 / update;
 *                Automerge: a sync message for the link's `SyncState` (first byte 0x42 or
 *                0x43), or changes pushed as they are made, each a whole Automerge change
 *                chunk (magic 85 6f 4a 83): the sync protocol runs when a document starts
 *                syncing on a link, and every change after that is pushed once, unanswered)
 *   4 AWARENESS docId varString · payload varBytes (a y-protocols awareness update)
 *   5 ERROR     code varUint · reason varString; the sender closes the link after it
 *   6 ACK       docId varString · engine varUint · version varBytes (the engine's
 *               `encodeVersion()`: Yjs state vector, Automerge heads) — sent by a durable node
 *               once what it received on this link is on disk; the peer's "acknowledged" mark
 *
 * HELLO is the first frame each way; anything else first, an unknown magic or version, an
 * unknown type, a truncated field or trailing bytes is a `ProtocolError` and closes the link.
 *
 * Anti-entropy: a document's digest is 64 bits of hash over (docId, engine, version digest);
 * a bucket's is the XOR of its documents', so a side with finer buckets folds them to the
 * coarser count. Two full peers exchange DIGEST, then BUCKET for the buckets that differ, then
 * start DOC sync only for the documents that differ. Peers in sync send nothing after DIGEST.
 */
export const PROTOCOL_MAGIC = 'lattice'
export const PROTOCOL_VERSION = 1

export const MSG_HELLO = 0
export const MSG_DIGEST = 1
export const MSG_BUCKET = 2
export const MSG_DOC = 3
export const MSG_AWARENESS = 4
export const MSG_ERROR = 5
export const MSG_ACK = 6

export const MODE_FULL = 0
export const MODE_PARTIAL = 1

export const ENGINE_CODES = { yjs: 0, automerge: 1 } as const

/** Close and ERROR codes; 44xx mirror HTTP so logs read naturally. */
export const ERR_MALFORMED = 4400
export const ERR_UNAUTHORIZED = 4401
export const ERR_BAD_VERSION = 4426
export const ERR_BAD_NAME = 4422
export const ERR_ENGINE_MISMATCH = 4409
export const ERR_INTERNAL = 4500

export class ProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'ProtocolError'
  }
}
