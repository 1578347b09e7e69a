/** The far end of a link that is not another lane: the node every window dials. */
export const NODE = 'node'

/** A link between a lane and the node, or between two lanes. */
export interface LinkSpec {
  /** The lane at whose end the faults sit: its "out" is what this lane sends. */
  readonly from: string
  /** Another lane, or `NODE`. */
  readonly to: string
}

/** The shape of a Lab as data (presets, recordings): its replicas and the links between them. */
export interface TopologySpec {
  readonly lanes: readonly string[]
  readonly links: readonly LinkSpec[]
}

export const linkName = (l: LinkSpec): string => `${l.from}–${l.to}`

/** Every lane linked to the node and to nothing else: how windows sync. */
export function star(lanes: readonly string[]): TopologySpec {
  return { lanes, links: lanes.map((from) => ({ from, to: NODE })) }
}
