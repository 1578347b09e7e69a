import type { Socket } from 'node:net'
import type { Counter } from 'prom-client'
import { WebSocket } from 'ws'
import type { Logger } from '../ops/logger'
import type { NodeMetrics, Endpoint } from '../ops/metrics'
import { corkForThisTurn } from './cork'
import { CLOSE_IDLE, CLOSE_RATE_LIMITED, closeReason, RateLimiter } from './limits'

/** What an endpoint does with a socket's frames and its close (the guard has run first). */
export interface SocketHandler {
  frame(data: Buffer, isBinary: boolean): void
  closed(): void
}

/** One endpoint's counters; prom-client makes a new object each time a label is looked up. */
interface EndpointCounters {
  readonly bytesIn: Counter.Internal
  readonly bytesOut: Counter.Internal
  readonly updates: Counter.Internal
}

/** What every socket of one server shares: where it counts and logs. */
export class SocketContext {
  private readonly counters = new Map<Endpoint, EndpointCounters>()

  constructor(
    readonly metrics: NodeMetrics,
    readonly log: Logger,
    readonly framesPerSecond: number,
    readonly burstFrames: number,
  ) {}

  countersOf(endpoint: Endpoint): EndpointCounters {
    let c = this.counters.get(endpoint)
    if (!c) {
      const m = this.metrics
      c = {
        bytesIn: m.bytesIn.labels(endpoint),
        bytesOut: m.bytesOut.labels(endpoint),
        updates: m.updates.labels(endpoint),
      }
      this.counters.set(endpoint, c)
    }
    return c
  }
}

type SendOptions = Parameters<WebSocket['send']>[1]
type SendCallback = (err?: Error) => void

/**
 * A server-side socket that carries its connection guard in fields: byte counts, a token-bucket
 * rate limit, the idle check (one sweep per server, `sweepIdle`), and sends corked until the
 * end of the loop turn. Its listeners are shared by every socket and find their state through
 * `this`, so a connection costs a few fields instead of a dozen closures and their contexts:
 * a relay holds thousands of sockets.
 */
export class RelaySocket extends WebSocket {
  /** The endpoint this socket serves, when it reads frames through the guard. */
  handler: SocketHandler | null = null
  endpoint: Endpoint = 'y-websocket'
  remote: string | undefined = undefined
  private ctx: SocketContext | null = null
  private raw: Socket | null = null
  private limiter: RateLimiter | null = null
  private counters: EndpointCounters | null = null
  private updateType = -1
  private alive = true
  private dropTimer: ReturnType<typeof setTimeout> | null = null

  /** Starts guarding: counts, limits and watches this socket from now on. */
  guard(ctx: SocketContext, raw: Socket, endpoint: Endpoint, updateType: number): void {
    this.ctx = ctx
    this.raw = raw
    this.endpoint = endpoint
    this.remote = raw.remoteAddress
    this.updateType = updateType
    this.limiter = new RateLimiter(ctx.framesPerSecond, ctx.burstFrames)
    this.counters = ctx.countersOf(endpoint)
    ctx.metrics.connections.inc({ endpoint })
    this.on('message', onMessage)
    this.on('pong', onPong)
    this.on('close', onClose)
  }

  /** Closes with a code and a reason that fits a close frame, counted and logged. */
  closeWith(code: number, reason: string): void {
    this.ctx?.metrics.closes.inc({ code: String(code) })
    this.ctx?.log.warn(
      { code, reason, endpoint: this.endpoint, remote: this.remote },
      'closing connection',
    )
    this.close(code, closeReason(reason))
  }

  override send(
    data: Buffer | Uint8Array,
    options?: SendOptions | SendCallback,
    cb?: SendCallback,
  ): void {
    this.counters?.bytesOut.inc(data.byteLength)
    if (this.raw) corkForThisTurn(this.raw)
    if (typeof options === 'function') super.send(data, options)
    else super.send(data, options ?? {}, cb)
  }

  /** Whether a frame may be handled; a socket over its rate is closed and no longer read. */
  admit(data: Buffer): boolean {
    this.alive = true
    this.counters?.bytesIn.inc(data.length)
    // Both protocols put a one-byte message type first; awareness and digests are not updates.
    if (data[0] === this.updateType) this.counters?.updates.inc()
    if (!this.limiter || this.limiter.take()) return true
    if (this.readyState === WebSocket.OPEN)
      this.closeWith(
        CLOSE_RATE_LIMITED,
        `rate limit: more than ${this.ctx?.framesPerSecond} frames/s`,
      )
    // ws keeps reading a closing socket until the peer answers or 30 s pass: a flooder that
    // ignores the close would go on being parsed (and logged). Stop reading; drop it soon.
    this.pause()
    this.dropTimer ??= setTimeout(() => this.terminate(), 1_000)
    return false
  }

  /** One idle check: a socket silent since the last one is closed; the others get a ping. */
  checkIdle(idleTimeoutMs: number): void {
    if (!this.ctx || this.readyState !== WebSocket.OPEN) return
    if (!this.alive) {
      this.closeWith(CLOSE_IDLE, `idle for ${idleTimeoutMs} ms`)
      this.terminate()
      return
    }
    this.alive = false
    this.ping()
  }

  markAlive(): void {
    this.alive = true
  }

  release(): void {
    if (this.dropTimer) clearTimeout(this.dropTimer)
    this.dropTimer = null
    this.ctx?.metrics.connections.dec({ endpoint: this.endpoint })
    this.handler?.closed()
    this.handler = null
  }
}

// ws calls a listener with the socket as `this` (typed as the base class).
function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  const ws = this as RelaySocket
  if (ws.admit(data)) ws.handler?.frame(data, isBinary)
}

function onPong(this: WebSocket): void {
  ;(this as RelaySocket).markAlive()
}

function onClose(this: WebSocket): void {
  ;(this as RelaySocket).release()
}

/** Every `idleTimeoutMs / 2`, checks each guarded socket of `sockets`; returns the stopper. */
export function sweepIdle(sockets: Iterable<WebSocket>, idleTimeoutMs: number): () => void {
  const timer = setInterval(() => {
    for (const ws of sockets) if (ws instanceof RelaySocket) ws.checkIdle(idleTimeoutMs)
  }, idleTimeoutMs / 2)
  timer.unref()
  return () => clearInterval(timer)
}
