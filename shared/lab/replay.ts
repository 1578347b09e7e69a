import type { LabWorld } from './lab-world'
import type { Recording } from './recording'
import { runStep, settle, until, type LabClock } from './script'
import { laneSignature } from './signature'

export interface ReplayResult {
  readonly texts: Readonly<Record<string, string>>
  readonly signature: Readonly<Record<string, readonly string[]>>
  readonly sameText: boolean
  readonly sameDiagram: boolean
  /** Where the replay could not keep to the recording, if anywhere. */
  readonly notes: readonly string[]
}

export interface ReplayOptions {
  /** How long to wait for the events the recording had seen before a step. */
  readonly gateMs?: number
  readonly stopped?: () => boolean
}

/**
 * Replays a recording on `world` (fresh replicas built from it, see `replayLanes`) at the pace
 * it was recorded. Before each step it also waits until every lane has had as many events as
 * when the step was recorded, so edits interleave with deliveries as they did even when the
 * network is slower this time; then it compares the outcome.
 */
export async function replay(
  world: LabWorld,
  rec: Recording,
  clock: LabClock,
  { gateMs = 10_000, stopped = () => false }: ReplayOptions = {},
): Promise<ReplayResult> {
  const startEvent = world.log.size
  const startCounts = world.log.perHost()
  const reached = (expect: Readonly<Record<string, number>>) => {
    const now = world.log.perHost()
    return Object.entries(expect).every(
      ([lane, n]) => (now[lane] ?? 0) - (startCounts[lane] ?? 0) >= n,
    )
  }
  const notes: string[] = []
  const start = clock.now()
  for (const [i, s] of rec.steps.entries()) {
    if (stopped()) return outcome(world, rec, startEvent, ['stopped'])
    // Delays decide what is in flight when a step runs: keep the recording's pace.
    const due = start + s.at - clock.now()
    if (due > 0) await clock.sleep(due)
    if (!(await until(clock, () => reached(s.expect), gateMs, 2)))
      notes.push(`step ${i + 1} (${s.step.kind}) ran before the events the recording had seen`)
    await runStep(world, s.step, clock)
  }
  const finalCounts = Object.fromEntries(
    Object.entries(rec.final.signature).map(([lane, events]) => [lane, events.length]),
  )
  if (!(await until(clock, () => reached(finalCounts), gateMs)))
    notes.push('some lanes had fewer events at the end than in the recording')
  await settle(world, clock, { timeoutMs: gateMs, converge: false })
  return outcome(world, rec, startEvent, notes)
}

function outcome(
  world: LabWorld,
  rec: Recording,
  startEvent: number,
  notes: string[],
): ReplayResult {
  const texts = Object.fromEntries(world.lanes.map((l) => [l.name, l.doc.text()]))
  const signature = laneSignature(world.log.all().slice(startEvent))
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
  const lanes = Object.keys(rec.final.texts)
  return {
    texts,
    signature,
    sameText: lanes.every((l) => texts[l] === rec.final.texts[l]),
    sameDiagram: lanes.every((l) => same(signature[l] ?? [], rec.final.signature[l] ?? [])),
    notes,
  }
}
