import type { AuthoredText } from './authorship'
import { happenedBefore, type LabLog } from './lab-log'

/** The text every replica held before they diverged, which the report measures against. */
export interface MergeBase {
  /** Log position then: commits from here on are the edits being merged. */
  readonly event: number
  readonly text: string
  /** Its characters' authorship ids. */
  readonly ids: readonly string[]
}

/** Who deleted a character: the lane and the commit event. */
export interface Deletion {
  readonly host: string
  readonly event: number
}

export interface MergeSpan {
  readonly text: string
  readonly kind: 'base' | 'inserted' | 'deleted'
  /** Who inserted or deleted it; null for base text and deletions the Lab did not see. */
  readonly host: string | null
  /** Another side edited right here concurrently: the order is the engine's choice. */
  readonly conflict: boolean
}

export interface Contribution {
  readonly host: string
  readonly commits: number
  /** What it typed, in order, whether or not it survived. */
  readonly typed: string
  /** Characters of its own in the merged text, and base characters it deleted. */
  readonly kept: number
  readonly deleted: number
}

export interface MergeReport {
  readonly spans: readonly MergeSpan[]
  readonly contributions: readonly Contribution[]
  /** Regions where two sides edited concurrently at the same place. */
  readonly conflicts: number
}

/** Edits at most this many unchanged characters apart count as "the same place". */
export const ADJACENT = 1

interface Run {
  kind: MergeSpan['kind']
  host: string | null
  text: string
  first: number | null
  last: number | null
  conflict: boolean
}

/**
 * Which replica contributed what to the merged text: each character typed since `base` marked
 * with its lane, base text the merge removed shown as deleted, and edits by two sides that
 * were concurrent and touch (within `ADJACENT` characters) flagged for a person to check.
 */
export function mergeReport(
  merged: AuthoredText,
  base: MergeBase,
  log: LabLog,
  deletions: ReadonlyMap<string, Deletion>,
  hosts: readonly string[],
): MergeReport {
  const runs = markConflicts(toRuns(merged, base, log, deletions), log)
  const contributions = hosts.map((host): Contribution => {
    const commits = log
      .all()
      .filter((e) => e.host === host && e.kind === 'commit' && e.id >= base.event)
    let kept = 0
    let deleted = 0
    for (const r of runs) {
      if (r.host !== host) continue
      if (r.kind === 'inserted') kept += r.text.length
      else deleted += r.text.length
    }
    return {
      host,
      commits: commits.length,
      typed: commits.map((e) => e.summary).join(''),
      kept,
      deleted,
    }
  })
  let conflicts = 0
  let inRegion = false
  for (const r of runs) {
    if (r.conflict && !inRegion) conflicts++
    if (r.conflict) inRegion = true
    else if (r.kind !== 'base' || r.text.length > ADJACENT) inRegion = false
  }
  const spans = runs.map(({ kind, host, text, conflict }) => ({ kind, host, text, conflict }))
  return { spans, contributions, conflicts }
}

/** Consecutive characters with the same kind and lane, deleted base text in its place. */
function toRuns(
  merged: AuthoredText,
  base: MergeBase,
  log: LabLog,
  deletions: ReadonlyMap<string, Deletion>,
): Run[] {
  const at = new Map<string, number>()
  merged.ids.forEach((id, i) => at.set(id, i))
  // Base characters gone from the merge, after the last base character that survived them.
  const gone = new Map<number, Array<{ char: string; id: string }>>()
  let anchor = -1
  base.ids.forEach((id, i) => {
    const here = at.get(id)
    if (here !== undefined) anchor = here
    else {
      const list = gone.get(anchor) ?? []
      list.push({ char: base.text[i] as string, id })
      gone.set(anchor, list)
    }
  })
  const runs: Run[] = []
  const add = (kind: Run['kind'], host: string | null, char: string, event: number | null) => {
    const last = runs[runs.length - 1]
    if (last && last.kind === kind && last.host === host) {
      last.text += char
      if (event !== null) {
        last.first ??= event
        last.last = event
      }
    } else runs.push({ kind, host, text: char, first: event, last: event, conflict: false })
  }
  const addGone = (i: number) => {
    for (const g of gone.get(i) ?? []) {
      const d = deletions.get(g.id)
      add('deleted', d?.host ?? null, g.char, d?.event ?? null)
    }
  }
  addGone(-1)
  for (let i = 0; i < merged.text.length; i++) {
    const commit = log.commitFor(merged.actors[i] as string, merged.seqs[i] as number)
    const char = merged.text[i] as string
    if (commit && commit.id >= base.event) add('inserted', commit.host, char, commit.id)
    else add('base', null, char, null)
    addGone(i)
  }
  return runs
}

/** Flags runs of two lanes that touch and hold concurrent commits. */
function markConflicts(runs: Run[], log: LabLog): Run[] {
  const events = log.all()
  const concurrent = (a: number | null, b: number | null) => {
    const x = a === null ? undefined : events[a]
    const y = b === null ? undefined : events[b]
    return !!x && !!y && !happenedBefore(x, y) && !happenedBefore(y, x)
  }
  const anyConcurrent = (a: Run, b: Run) =>
    [a.first, a.last].some((x) => [b.first, b.last].some((y) => concurrent(x, y)))
  let near: Run[] = []
  let gap = 0
  for (const r of runs) {
    if (r.kind === 'base') {
      gap += r.text.length
      if (gap > ADJACENT) near = []
      continue
    }
    gap = 0
    for (const other of near)
      if (
        other.host !== r.host &&
        r.host !== null &&
        other.host !== null &&
        anyConcurrent(other, r)
      ) {
        other.conflict = true
        r.conflict = true
      }
    near = [...near.filter((n) => n.host !== r.host), r]
  }
  return runs
}
