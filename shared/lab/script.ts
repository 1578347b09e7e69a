import type { Direction, DirectionFaults } from '../sync/faulty-link'
import type { VirtualScheduler } from '../sync/virtual-scheduler'
import { Rng } from '../util/rng'
import type { EditOp } from './edit-ops'
import type { HealCost } from './heal-cost'
import type { LabWorld } from './lab-world'
import type { Verdict } from './verdict'

/**
 * One thing a script does to a Lab world. `type` and `scribble` decide positions when they run
 * (from the text as it is then); a recording holds `edit`s, with the positions that were typed.
 */
export type LabStep =
  | { readonly kind: 'edit'; readonly lane: string; readonly ops: readonly EditOp[] }
  | {
      readonly kind: 'type'
      readonly lane: string
      readonly text: string
      /** Where typing starts; default the end. */
      readonly at?: number | 'end'
      /** The cursor stays put, so each key goes before the last (the text still reads right). */
      readonly backward?: boolean
      /** Pause between keys; one commit per key either way. */
      readonly everyMs?: number
    }
  /** `edits` seeded random inserts and deletes anywhere in the text, one commit each. */
  | {
      readonly kind: 'scribble'
      readonly lane: string
      readonly edits: number
      readonly seed: number
    }
  | { readonly kind: 'cut'; readonly link: string; readonly direction: Direction | 'both' }
  | { readonly kind: 'heal'; readonly link: string }
  | { readonly kind: 'faults'; readonly link: string; readonly faults: Partial<DirectionFaults> }
  | { readonly kind: 'wait'; readonly ms: number }
  /** Until every lane is equal and nothing has happened for a while. */
  | { readonly kind: 'settle'; readonly timeoutMs?: number }

/** Time for scripts: the real clock, or a virtual scheduler's (which runs what is due). */
export interface LabClock {
  now(): number
  sleep(ms: number): Promise<void>
}

export const realClock: LabClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

export function virtualClock(scheduler: VirtualScheduler): LabClock {
  return {
    now: () => scheduler.now(),
    sleep: async (ms) => scheduler.advance(ms),
  }
}

/** Polls `done` until it holds or `timeoutMs` passes; true if it held. */
export async function until(
  clock: LabClock,
  done: () => boolean,
  timeoutMs: number,
  pollMs = 20,
): Promise<boolean> {
  const deadline = clock.now() + timeoutMs
  for (;;) {
    if (done()) return true
    if (clock.now() >= deadline) return false
    await clock.sleep(pollMs)
  }
}

/** Until the log has been still for `quietMs` and, unless told otherwise, the lanes are equal. */
export async function settle(
  world: LabWorld,
  clock: LabClock,
  { timeoutMs = 20_000, quietMs = 300, converge = true } = {},
): Promise<boolean> {
  let size = -1
  let since = clock.now()
  return until(
    clock,
    () => {
      if (world.log.size !== size) {
        size = world.log.size
        since = clock.now()
      }
      return clock.now() - since >= quietMs && (!converge || world.converged())
    },
    timeoutMs,
    50,
  )
}

export async function runStep(world: LabWorld, step: LabStep, clock: LabClock): Promise<void> {
  switch (step.kind) {
    case 'edit':
      return world.edit(step.lane, step.ops)
    case 'type':
      return typeText(world, step, clock)
    case 'scribble':
      return scribble(world, step.lane, step.edits, new Rng(step.seed))
    case 'cut':
      return world.cut(step.link, step.direction)
    case 'heal':
      return world.heal(step.link)
    case 'faults':
      return world.setFaults(step.link, step.faults)
    case 'wait':
      return clock.sleep(step.ms)
    case 'settle':
      await settle(world, clock, { timeoutMs: step.timeoutMs })
  }
}

async function typeText(
  world: LabWorld,
  step: Extract<LabStep, { kind: 'type' }>,
  clock: LabClock,
): Promise<void> {
  const doc = world.lane(step.lane).doc
  const start = step.at === undefined || step.at === 'end' ? doc.text().length : step.at
  const keys = step.backward ? [...step.text].reverse() : [...step.text]
  for (const [i, key] of keys.entries()) {
    world.edit(step.lane, [{ at: step.backward ? start : start + i, insert: key }])
    if (step.everyMs) await clock.sleep(step.everyMs)
  }
}

const WORDS = ['merge', 'clock', 'link', 'heal', 'cut', 'note', 'dot', 'lane', 'vector', 'sync']

function scribble(world: LabWorld, lane: string, edits: number, rng: Rng): void {
  const doc = world.lane(lane).doc
  for (let i = 0; i < edits; i++) {
    const len = doc.text().length
    if (len > 8 && rng.chance(0.25)) {
      world.edit(lane, [{ at: rng.int(len - 3), delete: 1 + rng.int(3) }])
    } else {
      world.edit(lane, [{ at: rng.int(len + 1), insert: ` ${rng.pick(WORDS)}` }])
    }
  }
}

/** How a script ended: the verdict, what the last heal cost, and each lane's text. */
export interface ScriptResult {
  readonly verdict: Verdict
  readonly cost: HealCost | null
  readonly texts: Readonly<Record<string, string>>
}

export function resultOf(world: LabWorld): ScriptResult {
  return {
    verdict: world.verdict(),
    cost: world.meter.last,
    texts: Object.fromEntries(world.lanes.map((l) => [l.name, l.doc.text()])),
  }
}

/**
 * Runs the steps in order, once every link is up, and ends with a verdict; `stopped` is checked
 * between steps.
 */
export async function runScript(
  world: LabWorld,
  steps: readonly LabStep[],
  clock: LabClock,
  stopped: () => boolean = () => false,
): Promise<ScriptResult> {
  await until(clock, () => world.links.every((l) => l.link.isOpen), 15_000)
  for (const step of steps) {
    if (stopped()) break
    await runStep(world, step, clock)
  }
  return resultOf(world)
}
