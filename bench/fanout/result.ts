import type { MemoryReading, ServerKind, StallReading } from './servers'

/** What one server did in one scenario (see run-scenario.ts). */
export interface ServerResult {
  readonly kind: ServerKind
  readonly typing: {
    readonly keystrokes: number
    /** Remote applies expected (keystrokes × peers), and how many never arrived. */
    readonly applies: number
    readonly missing: number
    /** Keystroke-to-remote-apply latency over every (keystroke, peer), ms. */
    readonly p50Ms: number
    readonly p99Ms: number
    /** CPU shares (1 = one core) while this server's clients typed. */
    readonly serverCpu: number
    readonly clientCpu: number
    /** The server's event-loop delay and GC pauses while its clients typed. */
    readonly serverStalls: StallReading
  }
  /** ms until a client joining right after the typing was synced (Infinity: not in time). */
  readonly joinMs: number
  readonly memory: {
    readonly before: MemoryReading
    readonly afterTyping: MemoryReading
    readonly atRest: MemoryReading
  }
  readonly saturation: {
    /** Keystrokes that reached every peer, per second: the best burst (the least disturbed). */
    readonly updatesPerSecond: number
    readonly burstUpdatesPerSecond: number[]
    /** Server CPU seconds (all threads) per such keystroke: the lowest of the bursts. */
    readonly serverCpuPerUpdate: number
    readonly serverCpu: number
    readonly clientCpu: number
    /** Keystroke-to-delivery latency in the measured windows, ms. */
    readonly p50Ms: number
    readonly p99Ms: number
    /** Wire connections the server closed. */
    readonly dropped: number
  }
}

export interface ScenarioResult {
  /** Which server took the A turns (first) of the ABBA order. */
  readonly first: ServerKind
  readonly lattice: ServerResult
  readonly stock: ServerResult
  /** Share of wall time some task on the machine waited for a CPU (PSI), null if unknown. */
  readonly cpuPressure: number | null
  readonly seconds: number
}

/** JSON has no Infinity: written as a string, read back by `parseScenarioResult`. */
export const stringifyScenarioResult = (r: ScenarioResult): string =>
  JSON.stringify(r, (_k, v: unknown) => (v === Infinity ? 'Infinity' : v))

export const parseScenarioResult = (value: unknown): ScenarioResult =>
  JSON.parse(JSON.stringify(value), (_k, v: unknown) =>
    v === 'Infinity' ? Infinity : v,
  ) as ScenarioResult
