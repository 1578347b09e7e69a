import type { EngineKind } from '../../shared/engine/types'
import type { DocId } from '../../shared/ids'

/** The checks every DocStore makes before a write, so all of them refuse the same things. */

/** A document keeps the engine it was created with. */
export function checkEngine(id: DocId, stored: EngineKind, requested: EngineKind): void {
  if (stored !== requested) {
    throw new Error(`document ${id} is stored as ${stored}, not ${requested}`)
  }
}

/**
 * `compact(id, snapshot, uptoSeq)` must name a stored document and a sequence number inside its
 * log, and must not be older than the snapshot already there: replacing a newer snapshot with
 * an older one would drop the updates in between.
 */
export function checkCompact<T extends { seq: number; snapshotSeq: number }>(
  id: DocId,
  log: T | null,
  uptoSeq: number,
): asserts log is T {
  if (!log) throw new Error(`cannot compact document ${id}: it is not stored`)
  if (!Number.isSafeInteger(uptoSeq) || uptoSeq < 0 || uptoSeq > log.seq) {
    throw new RangeError(
      `cannot compact document ${id} up to ${uptoSeq}: its log ends at ${log.seq}`,
    )
  }
  if (uptoSeq < log.snapshotSeq) {
    throw new RangeError(
      `cannot compact document ${id} up to ${uptoSeq}: its snapshot already covers ${log.snapshotSeq}`,
    )
  }
}
