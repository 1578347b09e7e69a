import type { EngineKind } from '../../../shared/engine/types'
import { docId, replicaId } from '../../../shared/ids'
import { LabWorld, type LaneOptions, type NodeConnection } from '../../../shared/lab/lab-world'
import { virtualClock } from '../../../shared/lab/script'
import type { TopologySpec } from '../../../shared/lab/topology'
import { MemoryLinkPair } from '../../../shared/sync/memory-link'
import { Replica } from '../../../shared/sync/replica'
import { VirtualScheduler } from '../../../shared/sync/virtual-scheduler'

/** An in-memory node: a full replica every Lab lane dials over a memory link. */
export function memoryNode(scheduler: VirtualScheduler) {
  const hub = new Replica({ id: replicaId('node'), mode: 'full' })
  let n = 0
  const connect = (): NodeConnection => {
    const pair = new MemoryLinkPair(`node-${n++}`, scheduler)
    hub.attach(pair.b)
    pair.connect()
    return {
      link: pair.a,
      bounce: () => {
        pair.disconnect({ code: 4000, reason: 'resync' })
        scheduler.after(1, () => pair.connect())
      },
      close: () => pair.disconnect(),
    }
  }
  return { hub, connect }
}

/** A Lab world on virtual time, its links to an in-memory node. */
export function labWorld(
  engine: EngineKind,
  spec: TopologySpec,
  lanes: Record<string, LaneOptions> = {},
  seeds: Record<string, number> = {},
  scheduler = new VirtualScheduler(),
  seed = 1,
) {
  const node = memoryNode(scheduler)
  const world = LabWorld.build(
    { doc: docId('note'), engine, scheduler, connect: node.connect, seed },
    spec,
    lanes,
    seeds,
  )
  scheduler.run()
  return { world, scheduler, clock: virtualClock(scheduler), node }
}
