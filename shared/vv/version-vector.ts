/**
 * Version vectors: actor -> highest counter seen. Yjs gives its state vector (client id -> next
 * clock), Automerge the highest sequence number per actor. Both compare the same way.
 */
export type VersionVector = Readonly<Record<string, number>>

export type Relation = 'equal' | 'before' | 'after' | 'concurrent'

/** How `a` relates to `b`: 'before' means b has seen everything a has, and more. */
export function compare(a: VersionVector, b: VersionVector): Relation {
  let aAhead = false
  let bAhead = false
  for (const k in a) {
    const av = a[k] ?? 0
    const bv = b[k] ?? 0
    if (av > bv) aAhead = true
    else if (av < bv) bAhead = true
  }
  for (const k in b) {
    if (!(k in a) && (b[k] ?? 0) > 0) bAhead = true
  }
  if (aAhead && bAhead) return 'concurrent'
  if (aAhead) return 'after'
  if (bAhead) return 'before'
  return 'equal'
}

/** True when `a` has seen everything `b` has. */
export function dominates(a: VersionVector, b: VersionVector): boolean {
  for (const k in b) {
    if ((a[k] ?? 0) < (b[k] ?? 0)) return false
  }
  return true
}

/** Pointwise maximum. */
export function merge(a: VersionVector, b: VersionVector): VersionVector {
  const out: Record<string, number> = { ...a }
  for (const k in b) {
    const bv = b[k] ?? 0
    if ((out[k] ?? 0) < bv) out[k] = bv
  }
  return out
}

export function equals(a: VersionVector, b: VersionVector): boolean {
  return compare(a, b) === 'equal'
}

/** How many counter steps `a` has that `b` lacks (edits only on a's side, roughly). */
export function lead(a: VersionVector, b: VersionVector): number {
  let n = 0
  for (const k in a) n += Math.max(0, (a[k] ?? 0) - (b[k] ?? 0))
  return n
}

export function format(v: VersionVector): string {
  const keys = Object.keys(v).sort()
  return '{' + keys.map((k) => `${k.slice(0, 6)}:${v[k]}`).join(', ') + '}'
}
