import { linkId, randomId, type LinkId } from '../ids'
import { ERR_BAD_VERSION, ERR_UNAUTHORIZED } from '../wire/protocol'
import { Emitter, type Unsubscribe } from '../util/emitter'
import { LinkBase } from './link-base'
import { realScheduler, type CloseInfo, type Scheduler } from './link'

/** Full-jitter exponential backoff (AWS architecture blog, "Exponential Backoff And Jitter"). */
export interface Backoff {
  baseMs: number
  capMs: number
  /** A connection open this long counts as healthy: the next failure starts from attempt 0. */
  stableMs: number
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 250, capMs: 30_000, stableMs: 10_000 }

/** The delay before retry number `attempt` (0-based): uniform in [0, min(cap, base·2^attempt)). */
export function backoffDelay(attempt: number, random: () => number, b: Backoff): number {
  return random() * Math.min(b.capMs, b.baseMs * 2 ** attempt)
}

export type DialerStatus = 'connecting' | 'open' | 'waiting' | 'closed'

/** What a UI shows for a dialer: one snapshot per status change. */
export interface DialerState {
  readonly status: DialerStatus
  /** Failed connections since the last healthy one. */
  readonly attempt: number
  /** While 'waiting': the delay chosen and when (scheduler time) the next dial starts. */
  readonly retryInMs: number | null
  readonly retryAt: number | null
  /** How the last connection (or attempt) ended; 1006 with the error text if it never opened. */
  readonly lastClose: CloseInfo | null
  /** Set when the dialer stopped because retrying cannot help (bad token, bad version). */
  readonly gaveUp: CloseInfo | null
}

/**
 * The few things the dialer needs from a connection: a `ws` socket in a node, a browser
 * WebSocket or an Electron MessagePort in a window, a fake in unit tests.
 */
export interface DialHandlers {
  open(): void
  message(data: Uint8Array, binary: boolean): void
  /** Called exactly once per socket, whether or not it ever opened. */
  close(code: number, reason: string): void
}

export interface DialedSocket {
  send(frame: Uint8Array): void
  close(code: number, reason: string): void
}

/** Opens a socket; it reports through `on`, never synchronously from within the call. */
export type Dial = (url: string, token: string | undefined, on: DialHandlers) => DialedSocket

export interface DialerOptions {
  /** What `dial` connects to: `ws://host:port/lattice`, or a name for a MessagePort. */
  url: string
  /** Sent as `Authorization: Bearer <token>`, never in the URL (URLs end up in logs). */
  token?: string
  id?: LinkId
  backoff?: Partial<Backoff>
  /** Close codes after which the dialer stops instead of retrying. */
  giveUpOn?: readonly number[]
  scheduler?: Scheduler
  /** Uniform in [0, 1); inject a seeded one for deterministic tests. */
  random?: () => number
  dial: Dial
}

/** Retrying cannot fix a wrong token or an incompatible protocol version. */
export const GIVE_UP_CODES: readonly number[] = [ERR_UNAUTHORIZED, ERR_BAD_VERSION]

/**
 * A `Link` that dials and keeps the connection up: after every close it waits a full-jitter
 * backoff and dials again, until `close()` or a close code retrying can't fix. Each connection
 * is one open/close of the link, so the replica runs a fresh session per connection.
 */
export class DialerLink extends LinkBase {
  private readonly backoff: Backoff
  private readonly giveUpOn: ReadonlySet<number>
  private readonly scheduler: Scheduler
  private readonly random: () => number
  private readonly dial: Dial
  private readonly statuses = new Emitter<DialerState>()
  private readonly giveUps = new Emitter<CloseInfo>()
  private socket: DialedSocket | null = null
  /** Bumped per socket, so events of a socket we abandoned are ignored. */
  private generation = 0
  private cancelTimer: (() => void) | null = null
  private state: DialerState = {
    status: 'connecting',
    attempt: 0,
    retryInMs: null,
    retryAt: null,
    lastClose: null,
    gaveUp: null,
  }

  constructor(private readonly opts: DialerOptions) {
    super(opts.id ?? linkId(randomId('dial-')))
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff }
    this.giveUpOn = new Set(opts.giveUpOn ?? GIVE_UP_CODES)
    this.scheduler = opts.scheduler ?? realScheduler
    this.random = opts.random ?? Math.random
    this.dial = opts.dial
    this.connect()
  }

  get status(): DialerStatus {
    return this.state.status
  }

  /** The delay chosen for the pending retry, or null when not waiting. */
  get retryDelayMs(): number | null {
    return this.state.retryInMs
  }

  get snapshot(): DialerState {
    return this.state
  }

  onStatus(listener: (state: DialerState) => void): Unsubscribe {
    return this.statuses.on(listener)
  }

  /** Fires once if the dialer stops on its own, with the close that made it stop. */
  onGiveUp(listener: (info: CloseInfo) => void): Unsubscribe {
    return this.giveUps.on(listener)
  }

  send(frame: Uint8Array): void {
    if (this.open) this.socket?.send(frame)
  }

  /** Closes the connection for good: no more retries. */
  close(code = 1000, reason = 'closed by client'): void {
    if (this.state.status === 'closed') return
    this.stop({ code, reason })
    this.update({ status: 'closed', lastClose: { code, reason }, retryInMs: null, retryAt: null })
  }

  /** Drops the current connection and dials again at once: a fresh session resyncs. */
  reconnect(reason = 'reconnecting'): void {
    if (this.state.status === 'closed') return
    this.stop({ code: 4000, reason })
    this.connect()
  }

  private connect(): void {
    const generation = ++this.generation
    const mine = () => generation === this.generation
    this.update({ status: 'connecting', retryInMs: null, retryAt: null })
    this.socket = this.dial(this.opts.url, this.opts.token, {
      open: () => {
        if (!mine()) return
        this.cancelTimer = this.scheduler.after(this.backoff.stableMs, () => {
          this.cancelTimer = null
          this.update({ attempt: 0 })
        })
        this.update({ status: 'open' })
        this.markOpen()
      },
      message: (data, binary) => {
        if (!mine() || !this.open) return
        if (binary) this.frames.emit(data)
        else this.socket?.close(1003, 'Lattice frames are binary')
      },
      close: (code, reason) => {
        if (mine()) this.connectionEnded({ code, reason })
      },
    })
  }

  private connectionEnded(info: CloseInfo): void {
    this.socket = null
    this.cancelTimer?.()
    this.cancelTimer = null
    this.markClosed(info)
    if (this.state.status === 'closed') return // a close listener called close()
    if (this.giveUpOn.has(info.code)) {
      this.update({
        status: 'closed',
        lastClose: info,
        gaveUp: info,
        retryInMs: null,
        retryAt: null,
      })
      this.giveUps.emit(info)
      return
    }
    const delay = backoffDelay(this.state.attempt, this.random, this.backoff)
    this.cancelTimer = this.scheduler.after(delay, () => {
      this.cancelTimer = null
      this.connect()
    })
    this.update({
      status: 'waiting',
      lastClose: info,
      attempt: this.state.attempt + 1,
      retryInMs: delay,
      retryAt: this.scheduler.now() + delay,
    })
  }

  private stop(info: CloseInfo): void {
    this.generation++
    this.cancelTimer?.()
    this.cancelTimer = null
    const socket = this.socket
    this.socket = null
    socket?.close(info.code, info.reason)
    this.markClosed(info)
  }

  private update(change: Partial<DialerState>): void {
    this.state = { ...this.state, ...change }
    this.statuses.emit(this.state)
  }
}
