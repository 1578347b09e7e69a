import type { EngineKind } from '../engine/types'
import type { DocId } from '../ids'
import { equal64, hash64, xor64, ZERO64 } from '../util/hash64'
import type { DigestEntry, Hash64 } from '../wire/frames'

/** Documents per bucket we aim for: 32 keeps a differing bucket's listing small. */
const DOCS_PER_BUCKET = 32
const MAX_DIGEST_BUCKETS = 4096

export function bucketCountFor(docCount: number): number {
  let b = 1
  while (b * DOCS_PER_BUCKET < docCount && b < MAX_DIGEST_BUCKETS) b *= 2
  return b
}

/** Bucket of a document: low bits of its id hash, so buckets nest across powers of two. */
export function bucketOf(doc: DocId, bucketCount: number): number {
  return hash64(doc)[0] & (bucketCount - 1)
}

export function entryHash(doc: DocId, engine: EngineKind, versionDigest: string): Hash64 {
  return hash64(`${doc}\u0000${engine}\u0000${versionDigest}`)
}

export function bucketHashes(entries: readonly DigestEntry[], bucketCount: number): Hash64[] {
  const out: Hash64[] = new Array<Hash64>(bucketCount).fill(ZERO64)
  for (const e of entries) {
    const b = bucketOf(e.doc, bucketCount)
    out[b] = xor64(out[b] as Hash64, e.hash)
  }
  return out
}

/** Folds finer buckets into `to` coarser ones (XOR is what makes this possible). */
export function foldBuckets(buckets: readonly Hash64[], to: number): Hash64[] {
  if (to === buckets.length) return [...buckets]
  const out: Hash64[] = new Array<Hash64>(to).fill(ZERO64)
  buckets.forEach((h, i) => {
    const b = i & (to - 1)
    out[b] = xor64(out[b] as Hash64, h)
  })
  return out
}

export function differingBuckets(a: readonly Hash64[], b: readonly Hash64[]): number[] {
  const out: number[] = []
  for (let i = 0; i < a.length; i++) if (!equal64(a[i] as Hash64, b[i] as Hash64)) out.push(i)
  return out
}

/** Documents whose entries differ between two listings of one bucket (present on one side too). */
export function differingDocs(
  ours: readonly DigestEntry[],
  theirs: readonly DigestEntry[],
): DigestEntry[] {
  const mine = new Map(ours.map((e) => [e.doc, e]))
  const out: DigestEntry[] = []
  for (const t of theirs) {
    const m = mine.get(t.doc)
    if (!m || !equal64(m.hash, t.hash)) out.push(t)
    mine.delete(t.doc)
  }
  out.push(...mine.values())
  return out
}
