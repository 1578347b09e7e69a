import type { Replica } from '../../shared/sync/replica'
import type { Unsubscribe } from '../../shared/util/emitter'

/**
 * Passes awareness (cursors, selections, names) that one window sends for a document on to the
 * other windows that have it open. Only windows (partial peers) get it: they never forward
 * awareness themselves, so nothing loops. Stock y-websocket sockets get it from their room.
 */
export function relayAwarenessToWindows(replica: Replica): Unsubscribe {
  return replica.events.on((e) => {
    if (e.type !== 'awareness') return
    for (const link of replica.links) {
      if (link === e.link) continue
      const session = replica.session(link)
      if (session?.peer?.mode === 'partial' && session.activeDocs.includes(e.doc))
        session.sendAwareness(e.doc, e.payload)
    }
  })
}
