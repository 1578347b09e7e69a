import * as Y from 'yjs'
import type { Dot } from '../../shared/engine/types'
import type { VersionVector } from '../../shared/vv/version-vector'

/**
 * Yjs delivers by structural dependency, not full causal order: an insert needs the items it
 * sits next to (origin, right origin) and its parent, not everything its author had seen. This
 * reads those dependencies out of a local update so the simulation checks what Yjs promises.
 */
export function yjsStructuralDeps(
  update: Uint8Array,
  client: number,
): { dot: Dot | null; deps: VersionVector } {
  const deps: Record<string, number> = {}
  const need = (id: Y.ID | null | undefined) => {
    if (!id) return
    const k = String(id.client)
    deps[k] = Math.max(deps[k] ?? 0, id.clock + 1)
  }
  let counter = 0
  for (const s of Y.decodeUpdate(update).structs) {
    if (s.id.client === client) counter = Math.max(counter, s.id.clock + s.length)
    if (s instanceof Y.Item) {
      need(s.origin)
      need(s.rightOrigin)
      if (s.parent instanceof Y.ID) need(s.parent)
    }
  }
  return { dot: counter > 0 ? { actor: String(client), counter } : null, deps }
}
