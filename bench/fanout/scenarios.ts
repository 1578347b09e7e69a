import type { Topology } from './clients'

export interface Scenario extends Topology {
  readonly label: string
  /** Keystrokes per second each client types in the latency phase. */
  readonly typingRate: number
  /** Keystrokes each wire client keeps in flight in the saturation phase. */
  readonly window: number
  /** Whether to report memory per loaded document (one room says nothing per document). */
  readonly memory: boolean
}

export const SCENARIOS: readonly Scenario[] = [
  {
    label: '100 rooms × 5 clients',
    rooms: 100,
    clientsPerRoom: 5,
    typingRate: 2,
    window: 2,
    memory: true,
  },
  {
    label: '1 room × 50 clients',
    rooms: 1,
    clientsPerRoom: 50,
    typingRate: 2,
    window: 4,
    memory: false,
  },
]

/**
 * Both servers run side by side and take turns in ABBA order (A B B A A B B A …), so a change in
 * what else the machine is doing hits both alike.
 */
export const TYPING_SLOTS = 16
export const TYPING_SLOT_SECONDS = 1.25
/** An unmeasured turn per server first, so neither's first-use costs land in its numbers. */
export const TYPING_WARMUP_SECONDS = 1
/** How long a typing slot waits for its last keystrokes to arrive. */
export const DRAIN_MS = 10_000
/** How long a client joining after the typing may take to sync before it counts as never. */
export const JOIN_TIMEOUT_MS = 30_000
export const SATURATION_BURSTS = 12
export const SATURATION_WARMUP_MS = 500
export const SATURATION_MEASURE_MS = 1_500

/** Turn `i` of an ABBA sequence: 0 → a, 1 → b, 2 → b, 3 → a, 4 → a, … */
export const abba = <T>(i: number, a: T, b: T): T => ((i + 1) & 2 ? b : a)
