import type { EngineKind, NoteDoc } from '../../shared/engine/types'
import type { DocId } from '../../shared/ids'

/** What crossed between the two nodes since they started; subtract two readings for a span. */
export interface LinkTraffic {
  /** LAN WebSocket payload bytes both ways, handshake included, as the listening nodes count them. */
  readonly payload: number
  /** Lattice frames both nodes sent; null where the nodes run in other processes. */
  readonly frames: number | null
  /** IP packets between the two hosts, TCP/IP headers included; null where there are no hosts. */
  readonly ip: { readonly bytes: number; readonly packets: number } | null
}

/**
 * Two LAN nodes, a copy of every note on each side, and the link between the nodes to cut and
 * heal: in one process over loopback (`LanPair`) or on two hosts (`HostPair`).
 */
export interface HealRig {
  /** One line on where the nodes run and how they are linked. */
  readonly setting: string
  /** Creates the notes on side a; resolves with each as side a and side b hold it, converged. */
  seed(ids: readonly DocId[], engine: EngineKind): Promise<[NoteDoc, NoteDoc][]>
  cut(): Promise<void>
  /** Resolves once each node holds what its side's copies hold and the link is down. */
  settle(): Promise<void>
  /** Resolves once the link has carried nothing for `quietMs`. */
  quiet(quietMs?: number): Promise<LinkTraffic>
  /** Restores the link; resolves with the `performance.now()` at which it began to. */
  heal(): Promise<number>
  /** The `performance.now()` at which the link was up again after the heal at `since`. */
  linkedAt(since: number): number
  stop(): Promise<void>
}

export function trafficBetween(before: LinkTraffic, after: LinkTraffic): LinkTraffic {
  const minus = (x: number | null, y: number | null) => (x === null || y === null ? null : x - y)
  return {
    payload: after.payload - before.payload,
    frames: minus(after.frames, before.frames),
    ip:
      after.ip && before.ip
        ? { bytes: after.ip.bytes - before.ip.bytes, packets: after.ip.packets - before.ip.packets }
        : null,
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `check` every `everyMs` until it holds; fails naming `what` after `timeoutMs`. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
  everyMs = 1,
): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`)
    await sleep(everyMs)
  }
}

/** Every note's two copies at the same version. */
export const inSync = (copies: readonly (readonly [NoteDoc, NoteDoc])[]): boolean =>
  copies.every(([x, y]) => x.digest() === y.digest())
