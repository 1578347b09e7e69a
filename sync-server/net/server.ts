import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { isValidId, linkId, randomId, type DocId } from '../../shared/ids'
import type { LanEndpoint } from '../lan/lan-mode'
import type { LatticeNode } from '../node/lattice-node'
import type { Logger } from '../ops/logger'
import { NodeMetrics, type Endpoint } from '../ops/metrics'
import type { DocStore } from '../storage/doc-store'
import { offeredToken, tokenMatches } from './auth'
import { corkForThisTurn } from './cork'
import {
  CLOSE_BAD_NAME,
  CLOSE_IDLE,
  CLOSE_RATE_LIMITED,
  CLOSE_UNAUTHORIZED,
  closeReason,
  DEFAULT_LIMITS,
  RateLimiter,
  type ConnectionLimits,
} from './limits'
import { MSG_DOC } from '../../shared/wire/protocol'
import { WebSocketLink } from './ws-link'
import { MESSAGE_SYNC } from './y-websocket-protocol'
import { serveYWebsocket } from './y-websocket'

export const LATTICE_PATH = '/lattice'

const UPDATE_TYPE: Record<Endpoint, number> = {
  lattice: MSG_DOC,
  'y-websocket': MESSAGE_SYNC,
  lan: MSG_DOC,
}

export interface ServerOptions {
  host: string
  port: number
  token?: string
  limits?: Partial<ConnectionLimits>
  store: DocStore
  log: Logger
  /** Other HTTP GETs (the browser host's static files); true when it answered. */
  serveHttp?: (req: IncomingMessage, res: ServerResponse) => boolean
  /** LAN mode: peers that prove the workspace secret at `lan.path`; the token is not theirs. */
  lan?: LanEndpoint
  /** Serve `/lattice` and `/<room>` to this machine only (LAN mode on every address, no token). */
  localOnly?: boolean
}

export interface RunningServer {
  readonly url: string
  readonly port: number
  readonly metrics: NodeMetrics
  /** Stops accepting, closes every connection (1001), and resolves once all are gone. */
  close(): Promise<void>
}

/**
 * One port, two WebSocket endpoints: `/lattice` (the multiplexed Lattice protocol) and
 * `/<room>` (stock y-websocket, one Yjs document per socket); plus `/healthz` and `/metrics`.
 */
export async function startServer(node: LatticeNode, opts: ServerOptions): Promise<RunningServer> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits }
  const metrics = new NodeMetrics(opts.store, () => ({
    loaded: node.loadedCount,
    stored: node.storedCount,
  }))
  const started = Date.now()
  const http: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (opts.localOnly && path !== '/healthz' && !isLoopback(req.socket.remoteAddress)) {
      // Other machines get the LAN endpoint and /healthz; metrics and the app stay on this one.
      res.writeHead(403, { 'content-type': 'text/plain' })
      res.end('Lattice LAN endpoint: nothing here for other machines but /lattice-lan\n')
    } else if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          status: 'ok',
          node: node.id,
          uptimeSeconds: Math.round((Date.now() - started) / 1000),
          documentsLoaded: node.loadedCount,
          documentsStored: node.storedCount,
          unreadableDocuments: [...node.unreadableDocs.keys()],
          connections: wss.clients.size,
          lanPeers: opts.lan?.connectedPeers(),
        }),
      )
    } else if (req.method === 'GET' && path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType })
          res.end(text)
        },
        (err: Error) => {
          res.writeHead(500)
          res.end(err.message)
        },
      )
    } else if (!opts.serveHttp?.(req, res)) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end(
        'Lattice relay: WebSocket endpoints at /lattice and /<room>; GET /healthz, /metrics\n',
      )
    }
  })
  const wss = new WebSocketServer({ server: http, maxPayload: limits.maxFrameBytes })

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    // Closures below name `remote` and `socket`, never `req`: a closure that did would keep the
    // upgrade request (headers and all) alive as long as the connection.
    const { socket } = req
    const remote = socket.remoteAddress
    // Without a listener, a protocol error the ws library reports (an oversized frame: it
    // closes with 1009 itself) would be an uncaught exception and take the whole node down.
    ws.on('error', (err) => opts.log.warn({ err: err.message, remote }, 'connection error'))
    const url = new URL(req.url ?? '/', 'http://relay')
    const endpoint: Endpoint =
      url.pathname === LATTICE_PATH
        ? 'lattice'
        : url.pathname === opts.lan?.path
          ? 'lan'
          : 'y-websocket'
    const closeWith = (code: number, reason: string) => {
      metrics.closes.inc({ code: String(code) })
      opts.log.warn({ code, reason, endpoint, remote }, 'closing connection')
      ws.close(code, closeReason(reason))
    }
    if (
      endpoint !== 'lan' &&
      opts.token !== undefined &&
      !tokenMatches(opts.token, offeredToken(req, url))
    ) {
      closeWith(CLOSE_UNAUTHORIZED, 'unauthorized: missing or wrong token')
      return
    }
    if (endpoint !== 'lan' && opts.localOnly && !isLoopback(remote)) {
      closeWith(CLOSE_UNAUTHORIZED, 'unauthorized: this node serves only its own machine here')
      return
    }
    const room = decodePath(url.pathname.slice(1))
    if (endpoint === 'y-websocket' && (room === null || !isValidId(room))) {
      closeWith(CLOSE_BAD_NAME, 'bad room name: use 1-128 characters of A-Z a-z 0-9 . _ : -')
      return
    }
    guard(ws, socket, endpoint, closeWith)
    metrics.connections.inc({ endpoint })
    ws.on('close', () => metrics.connections.dec({ endpoint }))
    if (endpoint === 'lattice') {
      const link = new WebSocketLink(linkId(randomId('ws-')), ws)
      const detach = node.replica.attach(link)
      link.onClose(() => detach())
    } else if (endpoint === 'lan') {
      opts.lan?.accept(ws, `${remote}:${socket.remotePort}`)
    } else {
      serveYWebsocket(ws, room as DocId, node, { log: opts.log, metrics, closeWith })
    }
  })

  /** Byte counts, rate limit and idle timeout, the same for both endpoints. */
  function guard(
    ws: WebSocket,
    socket: Socket,
    endpoint: Endpoint,
    closeWith: (code: number, reason: string) => void,
  ): void {
    const limiter = new RateLimiter(limits.framesPerSecond, limits.burstFrames)
    // Label children looked up once, not on every frame.
    const bytesIn = metrics.bytesIn.labels(endpoint)
    const bytesOut = metrics.bytesOut.labels(endpoint)
    const updates = metrics.updates.labels(endpoint)
    let alive = true
    let dropTimer: ReturnType<typeof setTimeout> | undefined
    ws.on('message', (data: Buffer) => {
      alive = true
      bytesIn.inc(data.length)
      // Both protocols put a one-byte message type first; awareness and digests are not updates.
      if (data[0] === UPDATE_TYPE[endpoint]) updates.inc()
      if (limiter.take()) return
      if (ws.readyState === ws.OPEN)
        closeWith(CLOSE_RATE_LIMITED, `rate limit: more than ${limits.framesPerSecond} frames/s`)
      // ws keeps reading a closing socket until the peer answers or 30 s pass: a flooder that
      // ignores the close would go on being parsed (and logged). Stop reading; drop it soon.
      ws.pause()
      dropTimer ??= setTimeout(() => ws.terminate(), 1_000)
    })
    ws.on('pong', () => (alive = true))
    const send = ws.send.bind(ws)
    ws.send = ((data: Uint8Array, ...rest: unknown[]) => {
      bytesOut.inc(data.length)
      corkForThisTurn(socket)
      return (send as (d: Uint8Array, ...r: unknown[]) => void)(data, ...rest)
    }) as typeof ws.send
    const timer = setInterval(() => {
      if (!alive) {
        closeWith(CLOSE_IDLE, `idle for ${limits.idleTimeoutMs} ms`)
        ws.terminate()
        return
      }
      alive = false
      ws.ping()
    }, limits.idleTimeoutMs / 2)
    ws.on('close', () => {
      clearInterval(timer)
      clearTimeout(dropTimer)
    })
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(opts.port, opts.host, () => resolve())
  })
  const { port } = http.address() as AddressInfo
  const shownHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host
  return {
    url: `ws://${shownHost}:${port}`,
    port,
    metrics,
    async close() {
      for (const ws of wss.clients) ws.close(1001, 'relay shutting down')
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      await new Promise<void>((resolve) => http.close(() => resolve()))
      http.closeAllConnections()
    },
  }
}

function isLoopback(address: string | undefined): boolean {
  return address === '::1' || /^(::ffff:)?127\./.test(address ?? '')
}

/** A percent-decoded path, or null for a broken escape (`%E0%A4%A`), which would throw. */
function decodePath(path: string): string | null {
  try {
    return decodeURIComponent(path)
  } catch {
    return null
  }
}
