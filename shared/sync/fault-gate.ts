import { Rng } from '../util/rng'
import { FaultyLink, type Direction } from './faulty-link'
import { realScheduler, type Link, type Scheduler } from './link'

/** A switch's setting: 'out' drops what this end sends, 'in' what it receives. */
export type LinkFault = 'open' | 'both' | Direction

export const LINK_FAULTS: readonly LinkFault[] = ['open', 'both', 'out', 'in']

export function isLinkFault(v: unknown): v is LinkFault {
  return typeof v === 'string' && (LINK_FAULTS as readonly string[]).includes(v)
}

/** How a FaultyLink is cut now, as a switch's setting. */
export function faultOf(link: FaultyLink): LinkFault {
  const { out, in: incoming } = link.settings
  if (out.blocked && incoming.blocked) return 'both'
  return out.blocked ? 'out' : incoming.blocked ? 'in' : 'open'
}

/**
 * One switch for the links that come and go under one name (a node's link to its relay, to a
 * LAN peer): each is a FaultyLink that takes the switch's setting, so a cut holds across
 * reconnects. Opening the switch is the faulty link's heal: if frames were dropped, the
 * connection restarts and the fresh session resyncs what differs by anti-entropy.
 */
export class FaultGate {
  private state: LinkFault = 'open'
  private readonly links = new Set<FaultyLink>()

  constructor(private readonly scheduler: Scheduler = realScheduler) {}

  get fault(): LinkFault {
    return this.state
  }

  /**
   * `inner` behind a FaultyLink this gate drives. `bounce` restarts the connection after a
   * heal (a dialer's reconnect); by default the link is closed and the far end redials.
   */
  wrap(inner: Link, bounce?: () => void): FaultyLink {
    const link = gatedLink(inner, bounce, this.scheduler)
    this.add(link)
    return link
  }

  /** Puts `link` under this switch: it takes the switch's setting now and at every change. */
  add(link: FaultyLink): void {
    this.links.add(link)
    apply(link, this.state)
  }

  remove(link: FaultyLink): void {
    this.links.delete(link)
  }

  set(fault: LinkFault): void {
    this.state = fault
    for (const link of this.links) apply(link, fault)
  }
}

/** A FaultyLink for a gate to drive, under none yet (its far end is not known yet). */
export function gatedLink(
  inner: Link,
  bounce?: () => void,
  scheduler: Scheduler = realScheduler,
): FaultyLink {
  // Gates only cut whole directions, so the link never draws a random number.
  return new FaultyLink(inner, { rng: new Rng(0), scheduler, bounce })
}

function apply(link: FaultyLink, fault: LinkFault): void {
  if (fault === 'open') {
    if (faultOf(link) !== 'open') link.heal()
    return
  }
  link.set('out', { blocked: fault !== 'in' })
  link.set('in', { blocked: fault !== 'out' })
}
