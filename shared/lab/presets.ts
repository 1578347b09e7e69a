import { Rng } from '../util/rng'
import type { LaneOptions } from './lab-world'
import type { LabStep } from './script'
import { linkName, NODE, star, type TopologySpec } from './topology'

/** A scripted scenario: a topology of Lab replicas and what happens to them, ending settled. */
export interface Preset {
  readonly id: string
  readonly title: string
  readonly description: string
  readonly topology: TopologySpec
  /** Fixed engine actors per lane, so concurrent ties break the same way on every run. */
  readonly actorSeeds?: Readonly<Record<string, number>>
  steps(seed: number): LabStep[]
}

const A = 'Lab A'
const B = 'Lab B'
const C = 'Lab C'
const toNode = (lane: string) => linkName({ from: lane, to: NODE })
const type = (
  lane: string,
  text: string,
  extra: Partial<Extract<LabStep, { kind: 'type' }>> = {},
) => ({ kind: 'type', lane, text, everyMs: 15, ...extra }) as const
const cut = (link: string, direction: 'out' | 'in' | 'both' = 'both') =>
  ({ kind: 'cut', link, direction }) as const
const heal = (link: string) => ({ kind: 'heal', link }) as const
const wait = (ms: number) => ({ kind: 'wait', ms }) as const
const SETTLE = { kind: 'settle' } as const

export const PRESETS: readonly Preset[] = [
  {
    id: 'split-brain',
    title: 'Split brain',
    description: 'Both replicas lose the node, both type at the end, then both links heal.',
    topology: star([A, B]),
    steps: () => [
      type(A, 'Shared start.'),
      SETTLE,
      cut(toNode(A)),
      cut(toNode(B)),
      type(A, ' Left side.'),
      type(B, ' Right side.'),
      wait(200),
      heal(toNode(A)),
      heal(toNode(B)),
      SETTLE,
    ],
  },
  {
    id: 'chain',
    title: 'Chain, middle cut',
    description:
      'A reaches the node; C reaches only B; B is in the middle. B is cut off, everyone types, ' +
      'B heals towards C, then towards the node: A and C converge through B alone.',
    topology: {
      lanes: [A, B, C],
      links: [
        { from: A, to: NODE },
        { from: B, to: NODE },
        { from: B, to: C },
      ],
    },
    steps: () => [
      type(A, 'Chain:'),
      SETTLE,
      cut(toNode(B)),
      cut(linkName({ from: B, to: C })),
      type(A, ' from A.'),
      type(C, ' from C.'),
      type(B, ' from B.'),
      wait(200),
      heal(linkName({ from: B, to: C })),
      wait(400),
      heal(toNode(B)),
      SETTLE,
    ],
  },
  {
    id: 'one-way',
    title: 'One-way partition',
    description: 'A cannot send but still receives: A sees B’s edits, B never sees A’s until heal.',
    topology: star([A, B]),
    steps: () => [
      type(A, 'One way:'),
      SETTLE,
      cut(toNode(A), 'out'),
      type(A, ' A is unheard.'),
      type(B, ' B gets through.'),
      wait(500),
      heal(toNode(A)),
      SETTLE,
    ],
  },
  {
    id: 'flapping',
    title: 'Flapping link',
    description: 'A’s link cuts and heals on a seeded schedule while both keep typing.',
    topology: star([A, B]),
    steps: (seed) => {
      const rng = new Rng(seed)
      const steps: LabStep[] = [type(A, 'Flapping:'), SETTLE]
      for (let i = 0; i < 6; i++) {
        steps.push(
          cut(toNode(A)),
          { kind: 'scribble', lane: A, edits: 1 + rng.int(3), seed: rng.int(2 ** 31) },
          { kind: 'scribble', lane: B, edits: 1 + rng.int(3), seed: rng.int(2 ** 31) },
          wait(100 + rng.int(300)),
          heal(toNode(A)),
          wait(50 + rng.int(250)),
        )
      }
      return [...steps, SETTLE]
    },
  },
  {
    id: 'offline',
    title: 'Offline for a long session',
    description: 'A works offline through 150 edits while B makes 30, then A comes back.',
    topology: star([A, B]),
    steps: (seed) => {
      const rng = new Rng(seed)
      return [
        type(A, 'Offline draft:'),
        SETTLE,
        cut(toNode(A)),
        { kind: 'scribble', lane: A, edits: 150, seed: rng.int(2 ** 31) },
        { kind: 'scribble', lane: B, edits: 30, seed: rng.int(2 ** 31) },
        wait(200),
        heal(toNode(A)),
        SETTLE,
      ]
    },
  },
]

/**
 * Five replicas typing in turn through the node: 2,100 edits, each one commit and (nearly
 * always) four applies, so the diagram carries over 10,000 events. An edit that overtakes one
 * it depends on waits and arrives with it as one apply.
 */
export const BUSY: Preset = {
  id: 'busy',
  title: 'Busy: 5 replicas, 10,000 events',
  description: 'Five replicas take turns making 2,100 edits: over 10,000 events for the diagram.',
  topology: star([A, B, C, 'Lab D', 'Lab E']),
  steps: (seed) => {
    const rng = new Rng(seed)
    const steps: LabStep[] = []
    for (let round = 0; round < 420; round++) {
      for (const lane of [A, B, C, 'Lab D', 'Lab E'])
        steps.push({ kind: 'scribble', lane, edits: 1, seed: rng.int(2 ** 31) })
      if (round % 10 === 9) steps.push(wait(5))
    }
    return [...steps, { kind: 'settle', timeoutMs: 120_000 }]
  },
}

/**
 * Two replicas cut off from each other make concurrent edits at the same places: words at the
 * same end, and words typed backwards at the same spot (the cursor left where it was). Yjs and
 * Automerge both converge, not always to the same text.
 */
export const SAME_SPOT: Preset = {
  id: 'same-spot',
  title: 'Same spot, both sides',
  description: 'Concurrent words at one end and backwards typing at one spot, on both engines.',
  topology: star([A, B]),
  actorSeeds: { [A]: 1, [B]: 2 },
  steps: () => [
    type(A, 'The cat|'),
    SETTLE,
    cut(toNode(A)),
    cut(toNode(B)),
    type(A, ' sat'),
    type(B, ' ran'),
    type(A, 'abc', { at: 0, backward: true }),
    type(B, '123', { at: 0, backward: true }),
    wait(200),
    heal(toNode(A)),
    heal(toNode(B)),
    SETTLE,
  ],
}

export const ALL_PRESETS: readonly Preset[] = [...PRESETS, BUSY, SAME_SPOT]

/** The lane options a preset's world is built with (its fixed actors). */
export function presetLanes(preset: Preset): Record<string, LaneOptions> {
  return Object.fromEntries(
    Object.entries(preset.actorSeeds ?? {}).map(([lane, actorSeed]) => [lane, { actorSeed }]),
  )
}

export function presetById(id: string): Preset | undefined {
  return ALL_PRESETS.find((p) => p.id === id)
}
