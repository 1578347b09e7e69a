import type { EngineKind, NoteDoc } from '../../shared/engine/types'
import { docId, linkId, randomId, type DocId } from '../../shared/ids'
import { LabWorld, type LaneOptions, type NodeConnection } from '../../shared/lab/lab-world'
import { NODE, type TopologySpec } from '../../shared/lab/topology'
import { DialerLink, type Dial } from '../../shared/sync/dialer-link'
import type { FaultyLink } from '../../shared/sync/faulty-link'
import { realScheduler } from '../../shared/sync/link'
import type { Replica } from '../../shared/sync/replica'

/** How a window reaches its node; every Lab replica dials it on a link of its own. */
export interface NodeAccess {
  readonly url: string
  readonly token?: string
  readonly dial: Dial
}

const LANE_NAMES = ['Lab B', 'Lab C', 'Lab D', 'Lab E']

function connector(node: NodeAccess): (lane: string) => NodeConnection {
  return () => {
    const dialer = new DialerLink({
      url: node.url,
      token: node.token,
      dial: node.dial,
      id: linkId(randomId('lab-')),
      backoff: { baseMs: 100, capMs: 2_000 },
    })
    return {
      link: dialer,
      bounce: () => dialer.reconnect('resync after the link was cut'),
      close: () => dialer.close(1000, 'Lab closed'),
    }
  }
}

const options = (node: NodeAccess, doc: DocId, engine: EngineKind) => ({
  doc,
  engine,
  scheduler: realScheduler,
  connect: connector(node),
  seed: (Math.random() * 2 ** 32) >>> 0,
})

/** What the Lab on a note in a window starts from. */
export interface LiveLabOptions {
  doc: DocId
  engine: EngineKind
  window: { name: string; doc: NoteDoc; link: FaultyLink; replica?: Replica }
  extra: number
}

/** The Lab on a note in a window: the window's own replica, and `extra` Lab replicas. */
export function liveWorld(node: NodeAccess, o: LiveLabOptions): LabWorld {
  const world = new LabWorld(options(node, o.doc, o.engine))
  world.addWindow(o.window)
  for (let i = 0; i < o.extra; i++) {
    const name = LANE_NAMES[i] ?? `Lab ${i + 2}`
    world.addLane(name)
    world.connect({ from: name, to: NODE })
  }
  world.markBase()
  return world
}

/** Lab replicas only, shaped like `spec`, on `doc` (default: a fresh scratch note). */
export function labOnlyWorld(
  node: NodeAccess,
  engine: EngineKind,
  spec: TopologySpec,
  {
    doc = docId(randomId('lab-')),
    lanes = {},
    seeds = {},
  }: {
    doc?: DocId
    lanes?: Record<string, LaneOptions>
    seeds?: Record<string, number>
  } = {},
): LabWorld {
  return LabWorld.build(options(node, doc, engine), spec, lanes, seeds)
}
