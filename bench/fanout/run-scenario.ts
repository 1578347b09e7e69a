/**
 * One scenario against both servers, in a fresh client process: `run-scenario.ts <index>
 * <lattice|stock>` (the server that takes the first turn). Prints progress on stderr and one
 * JSON line (a `ScenarioResult`) on stdout.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { percentile } from '../lib/measure'
import { Fleet, warmUp, type TypingResult } from './clients'
import { stringifyScenarioResult, type ServerResult } from './result'
import {
  abba,
  DRAIN_MS,
  JOIN_TIMEOUT_MS,
  SATURATION_BURSTS,
  SATURATION_MEASURE_MS,
  SATURATION_WARMUP_MS,
  SCENARIOS,
  TYPING_SLOT_SECONDS,
  TYPING_SLOTS,
  TYPING_WARMUP_SECONDS,
  type Scenario,
} from './scenarios'
import {
  SERVER_LABEL,
  startServerProcess,
  type MemoryReading,
  type ServerKind,
  type ServerProcess,
  type StallReading,
} from './servers'
import { WireFleet, type Burst } from './wire'

/** Everything measured for one server, gathered turn by turn. */
class Side {
  readonly rooms = `fanout-${randomBytes(4).toString('hex')}`
  readonly fleet: Fleet
  readonly typing: TypingResult[] = []
  readonly bursts: Burst[] = []
  before: MemoryReading | null = null
  afterTyping: MemoryReading | null = null
  atRest: MemoryReading | null = null
  joinMs = Infinity
  dropped = 0
  stalls: StallReading | null = null

  constructor(
    readonly server: ServerProcess,
    scenario: Scenario,
  ) {
    this.fleet = new Fleet(server.url, scenario, this.rooms)
  }

  get kind(): ServerKind {
    return this.server.kind
  }

  result(): ServerResult {
    const latencies = concat(this.typing.map((t) => t.latencies))
    const typingSeconds = this.typing.reduce((sum, t) => sum + t.seconds, 0)
    const burstLatencies = Float64Array.from(this.bursts.flatMap((b) => b.latencies))
    const seconds = this.bursts.reduce((sum, b) => sum + b.seconds, 0)
    const sum = (f: (b: Burst) => number) => this.bursts.reduce((s, b) => s + f(b), 0)
    return {
      kind: this.kind,
      typing: {
        keystrokes: this.typing.reduce((s, t) => s + t.keystrokes, 0),
        applies: latencies.length,
        missing: this.typing.reduce((s, t) => s + t.missing, 0),
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        serverCpu: this.typing.reduce((s, t) => s + t.serverCpu * t.seconds, 0) / typingSeconds,
        clientCpu: this.typing.reduce((s, t) => s + t.clientCpu * t.seconds, 0) / typingSeconds,
        serverStalls: this.stalls!,
      },
      joinMs: this.joinMs,
      memory: { before: this.before!, afterTyping: this.afterTyping!, atRest: this.atRest! },
      saturation: {
        updatesPerSecond: Math.max(...this.bursts.map((b) => b.completed / b.seconds)),
        burstUpdatesPerSecond: this.bursts.map((b) => b.completed / b.seconds),
        serverCpuPerUpdate: Math.min(...this.bursts.map((b) => b.serverCpu / b.completed)),
        serverCpu: sum((b) => b.serverCpu) / seconds,
        clientCpu: sum((b) => b.clientCpu) / seconds,
        p50Ms: percentile(burstLatencies, 50),
        p99Ms: percentile(burstLatencies, 99),
        dropped: this.dropped,
      },
    }
  }
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Cumulative µs some task waited for a CPU (Linux PSI), or null where unavailable. */
function cpuPressureMicros(): number | null {
  try {
    const m = /some .*total=(\d+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}

async function main(): Promise<void> {
  const [indexArg, firstArg] = process.argv.slice(2)
  const scenario = SCENARIOS[Number(indexArg)]
  if (!scenario || (firstArg !== 'lattice' && firstArg !== 'stock'))
    throw new Error(`usage: run-scenario.ts <0-${SCENARIOS.length - 1}> <lattice|stock>`)
  const first: ServerKind = firstArg
  const say = (message: string) =>
    process.stderr.write(`[relay-fanout] ${scenario.label}: ${message}\n`)
  const started = performance.now()
  const pressure0 = cpuPressureMicros()

  const sides: Side[] = []
  try {
    say('starting both servers …')
    for (const kind of [first, first === 'lattice' ? 'stock' : 'lattice'] as const)
      sides.push(new Side(await startServerProcess(kind), scenario))
    const [a, b] = sides as [Side, Side]
    for (const side of sides) {
      await warmUp(side.server.url, `${side.rooms}-warm-up`)
      side.before = await side.server.memory()
    }

    for (const side of sides) {
      say(
        `connecting ${scenario.rooms * scenario.clientsPerRoom} clients to the ${SERVER_LABEL[side.kind]} …`,
      )
      await side.fleet.connect()
    }
    for (const side of sides)
      await side.fleet.typing(scenario.typingRate, TYPING_WARMUP_SECONDS, DRAIN_MS, () => 0)
    say(
      `typing ${scenario.typingRate}/s per client: ${TYPING_SLOTS} turns of ${TYPING_SLOT_SECONDS} s, ABBA …`,
    )
    for (let turn = 0; turn < TYPING_SLOTS; turn++) {
      const side = abba(turn, a, b)
      await side.server.countStalls(true)
      side.typing.push(
        await side.fleet.typing(scenario.typingRate, TYPING_SLOT_SECONDS, DRAIN_MS, () =>
          side.server.cpuSeconds(),
        ),
      )
      await side.server.countStalls(false)
    }
    for (const side of sides) {
      side.stalls = await side.server.stalls()
      side.afterTyping = await side.server.memory()
      side.joinMs = await side.fleet.join(JOIN_TIMEOUT_MS)
      side.atRest = await side.server.memory()
      side.fleet.close()
    }

    say('connecting wire clients for saturation …')
    const wire = new Map<Side, WireFleet>()
    try {
      for (const side of sides) {
        const fleet = new WireFleet(side.server.url, scenario, side.rooms)
        wire.set(side, fleet)
        await fleet.connect()
      }
      say(`saturating: ${SATURATION_BURSTS} bursts, ABBA …`)
      for (let turn = 0; turn < SATURATION_BURSTS; turn++) {
        const side = abba(turn, a, b)
        side.bursts.push(
          await wire
            .get(side)!
            .burst(scenario.window, SATURATION_WARMUP_MS, SATURATION_MEASURE_MS, () =>
              side.server.cpuSeconds(),
            ),
        )
      }
      for (const [side, fleet] of wire) side.dropped = fleet.dropped
    } finally {
      for (const fleet of wire.values()) fleet.close()
    }

    const seconds = (performance.now() - started) / 1000
    const pressure1 = cpuPressureMicros()
    const byKind = (kind: ServerKind) => sides.find((s) => s.kind === kind)!.result()
    process.stdout.write(
      `${stringifyScenarioResult({
        first,
        lattice: byKind('lattice'),
        stock: byKind('stock'),
        cpuPressure:
          pressure0 === null || pressure1 === null ? null : (pressure1 - pressure0) / 1e6 / seconds,
        seconds,
      })}\n`,
    )
  } finally {
    for (const side of sides) {
      side.fleet.close()
      await side.server.stop()
    }
  }
}

await main()
// Destroyed providers can leave timers behind; nothing is left to wait for.
process.exit(0)
