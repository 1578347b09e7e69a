import type { Link } from '../../../shared/sync/link'
import { MemoryLinkPair } from '../../../shared/sync/memory-link'
import type { VirtualScheduler } from '../../../shared/sync/virtual-scheduler'

/** How a bounce closes the pair before it reconnects a tick later. */
export const BOUNCE_CLOSE = { code: 4000, reason: 'resync after faults' }

/**
 * A memory pair whose `a` end is wrapped by `wrap` (given a bounce that closes the pair and
 * reconnects it a tick later): frames the wrapped end sends arrive at `b` (`atB`), frames `b`
 * sends arrive at the wrapped end (`atLink`); `bounces` holds when each bounce happened.
 */
export function wrappedPair<L extends Link>(
  scheduler: VirtualScheduler,
  name: string,
  wrap: (inner: Link, bounce: () => void) => L,
) {
  const pair = new MemoryLinkPair(name, scheduler)
  const bounces: number[] = []
  const link = wrap(pair.a, () => {
    bounces.push(scheduler.now())
    pair.disconnect(BOUNCE_CLOSE)
    scheduler.after(1, () => pair.connect())
  })
  pair.connect()
  const atB: number[] = []
  const atLink: number[] = []
  pair.b.onFrame((f) => atB.push(f[0] as number))
  link.onFrame((f) => atLink.push(f[0] as number))
  return { pair, link, bounces, atB, atLink }
}
