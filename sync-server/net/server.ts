import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { isValidId, linkId, randomId, type DocId } from '../../shared/ids'
import type { LanEndpoint } from '../lan/lan-mode'
import type { LatticeNode } from '../node/lattice-node'
import type { Logger } from '../ops/logger'
import { NodeMetrics, type Endpoint } from '../ops/metrics'
import type { DocStore } from '../storage/doc-store'
import { offeredToken, tokenMatches } from './auth'
import { CLOSE_BAD_NAME, CLOSE_UNAUTHORIZED, DEFAULT_LIMITS, type ConnectionLimits } from './limits'
import { RelaySocket, SocketContext, sweepIdle } from './relay-socket'
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
  const wss = new WebSocketServer({
    server: http,
    maxPayload: limits.maxFrameBytes,
    WebSocket: RelaySocket,
  })
  const socketContext = new SocketContext(
    metrics,
    opts.log,
    limits.framesPerSecond,
    limits.burstFrames,
  )
  const yWebsocketContext = { log: opts.log }
  const stopSweep = sweepIdle(wss.clients, limits.idleTimeoutMs)

  wss.on('connection', (ws: RelaySocket, req: IncomingMessage) => {
    // Nothing made here may keep `req` (the upgrade request, headers and all) alive as long as
    // the connection: the socket's guard keeps only the raw socket and the remote address.
    const { socket } = req
    // Without a listener, a protocol error the ws library reports (an oversized frame: it
    // closes with 1009 itself) would be an uncaught exception and take the whole node down.
    ws.on('error', onSocketError)
    const url = new URL(req.url ?? '/', 'http://relay')
    const endpoint: Endpoint =
      url.pathname === LATTICE_PATH
        ? 'lattice'
        : url.pathname === opts.lan?.path
          ? 'lan'
          : 'y-websocket'
    ws.guard(socketContext, socket, endpoint, UPDATE_TYPE[endpoint])
    if (
      endpoint !== 'lan' &&
      opts.token !== undefined &&
      !tokenMatches(opts.token, offeredToken(req, url))
    ) {
      ws.closeWith(CLOSE_UNAUTHORIZED, 'unauthorized: missing or wrong token')
      return
    }
    if (endpoint !== 'lan' && opts.localOnly && !isLoopback(ws.remote)) {
      ws.closeWith(CLOSE_UNAUTHORIZED, 'unauthorized: this node serves only its own machine here')
      return
    }
    const room = decodePath(url.pathname.slice(1))
    if (endpoint === 'y-websocket' && (room === null || !isValidId(room))) {
      ws.closeWith(CLOSE_BAD_NAME, 'bad room name: use 1-128 characters of A-Z a-z 0-9 . _ : -')
      return
    }
    if (endpoint === 'lattice') {
      const link = new WebSocketLink(linkId(randomId('ws-')), ws)
      const detach = node.replica.attach(link)
      link.onClose(() => detach())
    } else if (endpoint === 'lan') {
      opts.lan?.accept(ws, `${ws.remote}:${socket.remotePort}`)
    } else {
      serveYWebsocket(ws, room as DocId, node, yWebsocketContext)
    }
  })

  /** Shared by every socket; `this` is the socket. */
  function onSocketError(this: WebSocket, err: Error): void {
    opts.log.warn({ err: err.message, remote: (this as RelaySocket).remote }, 'connection error')
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
      stopSweep()
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
