import type { LabEvent } from './lab-log'

/**
 * What the space-time diagram shows per lane, independent of event ids: each edit with its
 * text, each apply with the commits it delivered named `lane#n` (the n-th edit of that lane in
 * these events). Two runs draw the same diagram when their signatures are equal.
 */
export function laneSignature(events: readonly LabEvent[]): Record<string, string[]> {
  const names = new Map<number, string>()
  const edits: Record<string, number> = {}
  const out: Record<string, string[]> = {}
  for (const e of events) {
    const lane = (out[e.host] ??= [])
    if (e.kind === 'commit') {
      const n = (edits[e.host] = (edits[e.host] ?? 0) + 1)
      names.set(e.id, `${e.host}#${n}`)
      lane.push(`edit ${JSON.stringify(e.summary)}`)
    } else {
      // Commits from before these events are not part of what is compared.
      const delivered = e.delivers.flatMap((d) => names.get(d) ?? [])
      lane.push(`apply ${delivered.join(' ')}${e.held ? ` (${e.held} held)` : ''}`.trimEnd())
    }
  }
  return out
}
