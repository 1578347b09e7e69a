import { describe, expect, it } from 'vitest'
import type { CloseInfo } from '../../../shared/sync/link'
import { VirtualScheduler } from '../../../shared/sync/virtual-scheduler'
import { Rng } from '../../../shared/util/rng'
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  DialerLink,
  type Dial,
  type DialerState,
  type DialHandlers,
} from '../../../sync-server/net/dialer'

const seed = Number(process.env.LATTICE_TEST_SEED ?? Date.now() % 100_000)

/** One socket the dialer asked for; the test plays the server. */
class FakeSocket {
  readonly sent: Uint8Array[] = []
  closedByClient: CloseInfo | null = null

  constructor(
    readonly token: string | undefined,
    private readonly on: DialHandlers,
  ) {}

  accept(): void {
    this.on.open()
  }
  deliver(frame: Uint8Array, binary = true): void {
    this.on.message(frame, binary)
  }
  /** The server (or the network) ended the connection. */
  end(code = 1006, reason = 'connect ECONNREFUSED'): void {
    this.on.close(code, reason)
  }
  send(frame: Uint8Array): void {
    this.sent.push(frame)
  }
  close(code: number, reason: string): void {
    this.closedByClient = { code, reason }
  }
}

function setup(opts: { random?: () => number; token?: string } = {}) {
  const scheduler = new VirtualScheduler()
  const sockets: FakeSocket[] = []
  const dial: Dial = (_url, token, on) => {
    const s = new FakeSocket(token, on)
    sockets.push(s)
    return s
  }
  const link = new DialerLink({
    url: 'ws://relay.test/lattice',
    token: opts.token,
    scheduler,
    dial,
    random: opts.random ?? (() => 0.5),
  })
  const states: DialerState[] = []
  link.onStatus((s) => states.push(s))
  const last = () => sockets[sockets.length - 1] as FakeSocket
  /** The current dial fails; returns the delay the dialer chose, after waiting it out. */
  const failOnce = (): number => {
    last().end()
    const delay = link.retryDelayMs as number
    expect(link.status).toBe('waiting')
    scheduler.advance(delay)
    return delay
  }
  return { scheduler, sockets, link, states, last, failOnce }
}

/** The ceiling of retry `attempt` (0-based): min(cap, base·2^attempt). */
const ceiling = (attempt: number) =>
  Math.min(DEFAULT_BACKOFF.capMs, DEFAULT_BACKOFF.baseMs * 2 ** attempt)

describe('DialerLink', () => {
  it('opens, passes binary frames both ways, and reports close like any Link', () => {
    const { link, last, sockets } = setup({ token: 'sekrit-token' })
    const events: string[] = []
    link.onOpen(() => events.push('open'))
    link.onClose((c) => events.push(`close ${c.code}`))
    link.onFrame((f) => events.push(`frame ${f[0]}`))
    expect(link.status).toBe('connecting')
    expect(last().token).toBe('sekrit-token')
    link.send(Uint8Array.of(9)) // not open yet: dropped, as on any link
    last().accept()
    expect(link.isOpen).toBe(true)
    link.send(Uint8Array.of(1))
    last().deliver(Uint8Array.of(2))
    last().end(1001, 'relay shutting down')
    expect(events).toEqual(['open', 'frame 2', 'close 1001'])
    expect(sockets[0]?.sent).toEqual([Uint8Array.of(1)])
    expect(link.snapshot.lastClose).toEqual({ code: 1001, reason: 'relay shutting down' })
  })

  it('reconnect drops the connection and dials again at once, without waiting a backoff', () => {
    const { link, last, sockets } = setup()
    const events: string[] = []
    link.onOpen(() => events.push('open'))
    link.onClose((c) => events.push(`close ${c.code}`))
    last().accept()
    link.reconnect('resync')
    expect(sockets[0]?.closedByClient).toEqual({ code: 4000, reason: 'resync' })
    expect(sockets).toHaveLength(2)
    last().accept()
    // The old socket's late close is ignored: it belongs to an abandoned connection.
    sockets[0]?.end(4000, 'resync')
    expect(events).toEqual(['open', 'close 4000', 'open'])
    expect(link.isOpen).toBe(true)
    link.close()
    link.reconnect()
    expect(sockets).toHaveLength(2)
  })

  it('closes a connection that sends a text frame (1003) and dials again', () => {
    const { link, last, scheduler, sockets } = setup()
    last().accept()
    last().deliver(new TextEncoder().encode('hi'), false)
    expect(last().closedByClient?.code).toBe(1003)
    last().end(1003, 'Lattice frames are binary')
    scheduler.advance(DEFAULT_BACKOFF.baseMs)
    expect(sockets).toHaveLength(2)
    expect(link.status).toBe('connecting')
  })

  it('waits min(cap, base·2^attempt) at most: 250 ms doubling to a 30 s cap', () => {
    const { failOnce } = setup({ random: () => 0.999_999 })
    const delays = Array.from({ length: 12 }, failOnce)
    delays.forEach((d, attempt) => {
      expect(d).toBeLessThan(ceiling(attempt))
      expect(d).toBeGreaterThan(ceiling(attempt) * 0.999)
    })
    expect(delays.slice(0, 8).map((d) => Math.round(d))).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 16000, 30000,
    ])
    expect(Math.round(delays[11] as number)).toBe(30_000)
  })

  it('can retry immediately (full jitter reaches 0) and never waits a negative time', () => {
    const { failOnce, sockets } = setup({ random: () => 0 })
    const delays = Array.from({ length: 5 }, failOnce)
    expect(delays).toEqual([0, 0, 0, 0, 0])
    expect(sockets).toHaveLength(6)
  })

  it(`spreads a thundering herd evenly over [0, ceiling) (seed ${seed})`, () => {
    const rng = new Rng(seed)
    // 2,000 clients of a relay that restarts, on their 4th failed dial (ceiling 2 s).
    const delays: number[] = []
    for (let i = 0; i < 2_000; i++) {
      const { failOnce, link, last } = setup({ random: () => rng.next() })
      for (let k = 0; k < 3; k++) failOnce()
      expect(link.snapshot.attempt, `seed ${seed}`).toBe(3)
      last().end()
      delays.push(link.snapshot.retryInMs as number)
    }
    const top = ceiling(3)
    const buckets = new Array<number>(10).fill(0)
    for (const d of delays) {
      expect(d, `seed ${seed}`).toBeGreaterThanOrEqual(0)
      expect(d, `seed ${seed}`).toBeLessThan(top)
      buckets[Math.floor((d / top) * 10)]! += 1
    }
    // Uniform: each tenth of the window gets 200 ± 60 (over 5 standard deviations).
    for (const n of buckets) expect(n, `seed ${seed}: ${buckets.join(' ')}`).toBeGreaterThan(140)
    for (const n of buckets) expect(n, `seed ${seed}: ${buckets.join(' ')}`).toBeLessThan(260)
  })

  it('starts again from 250 ms after a connection stayed open 10 s', () => {
    const { failOnce, last, link, scheduler } = setup({ random: () => 0.999_999 })
    for (let i = 0; i < 6; i++) failOnce()
    expect(link.snapshot.attempt).toBe(6)
    last().accept()
    scheduler.advance(DEFAULT_BACKOFF.stableMs)
    expect(link.snapshot.attempt).toBe(0)
    last().end(1001, 'relay shutting down')
    expect(link.retryDelayMs).toBeLessThan(ceiling(0))
    expect(link.retryDelayMs).toBeGreaterThan(ceiling(0) * 0.999)
  })

  it('keeps backing off when connections open but drop within 10 s', () => {
    const { failOnce, last, link, scheduler } = setup({ random: () => 0.999_999 })
    for (let i = 0; i < 4; i++) failOnce()
    last().accept()
    scheduler.advance(DEFAULT_BACKOFF.stableMs - 1)
    last().end(4429, 'rate limit')
    expect(link.snapshot.attempt).toBe(5)
    expect(Math.round(link.retryDelayMs as number)).toBe(ceiling(4))
  })

  for (const [code, reason] of [
    [4401, 'unauthorized: missing or wrong token'],
    [4426, 'unsupported protocol version 2 (this peer speaks 1)'],
  ] as const) {
    it(`gives up on ${code}, says why, and never dials again`, () => {
      const { link, last, scheduler, sockets, states } = setup()
      const gaveUp: CloseInfo[] = []
      link.onGiveUp((c) => gaveUp.push(c))
      last().accept()
      last().end(code, reason)
      scheduler.advance(10 * 60_000)
      expect(sockets).toHaveLength(1)
      expect(gaveUp).toEqual([{ code, reason }])
      expect(link.status).toBe('closed')
      expect(link.retryDelayMs).toBeNull()
      expect(states[states.length - 1]?.gaveUp).toEqual({ code, reason })
      expect(scheduler.pending).toBe(0)
    })
  }

  it('stops on close() while waiting: the pending retry never dials', () => {
    const { link, last, scheduler, sockets } = setup()
    last().end()
    expect(link.status).toBe('waiting')
    link.close()
    scheduler.advance(10 * 60_000)
    expect(sockets).toHaveLength(1)
    expect(link.status).toBe('closed')
  })

  it('stops on close() while open: closes the socket, reports close once, ignores late events', () => {
    const { link, last, scheduler, sockets } = setup()
    const closes: CloseInfo[] = []
    link.onClose((c) => closes.push(c))
    last().accept()
    link.close(1000, 'bye')
    expect(last().closedByClient).toEqual({ code: 1000, reason: 'bye' })
    last().end(1000, 'bye') // the socket's own close event arrives later
    last().deliver(Uint8Array.of(1))
    scheduler.advance(10 * 60_000)
    expect(closes).toEqual([{ code: 1000, reason: 'bye' }])
    expect(sockets).toHaveLength(1)
    expect(link.isOpen).toBe(false)
  })

  it('stays closed when a close listener calls close() (as a session does on a protocol error)', () => {
    const { link, last, scheduler, sockets } = setup()
    link.onClose(() => link.close(4400, 'malformed frame'))
    last().accept()
    last().end(1001, 'relay shutting down')
    scheduler.advance(10 * 60_000)
    expect(link.status).toBe('closed')
    expect(sockets).toHaveLength(1)
    expect(scheduler.pending).toBe(0)
  })

  it('shows the UI each state in order: connecting, waiting, connecting, open', () => {
    const { failOnce, last, states } = setup()
    failOnce()
    last().accept()
    expect(states.map((s) => s.status)).toEqual(['waiting', 'connecting', 'open'])
    expect(states[0]?.retryInMs).toBe(125)
    expect(states[0]?.retryAt).toBe(125)
    expect(states[0]?.lastClose).toEqual({ code: 1006, reason: 'connect ECONNREFUSED' })
  })

  it('computes the backoff ceiling without overflow for huge attempt numbers', () => {
    expect(backoffDelay(10_000, () => 0.5, DEFAULT_BACKOFF)).toBe(15_000)
  })
})
