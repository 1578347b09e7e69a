import { Bonjour, type Browser, type Service } from 'bonjour-service'
import type { ReplicaId } from '../../shared/ids'
import { isValidId } from '../../shared/ids'
import type { Logger } from '../ops/logger'

/**
 * mDNS (DNS-SD) discovery: each node publishes `_lattice._tcp` with TXT { v, ws, id } and
 * browses for the same; a service whose `ws` (the workspace hint) is ours and whose `id` is not
 * ours is a peer to dial. The hint is a one-way function of the secret (workspace.ts): a
 * stranger learns that some workspace is here, not which, nor how to join it.
 */
export const SERVICE_TYPE = 'lattice'
const TXT_VERSION = '1'
/** Ask again now and then: a peer whose announcements we missed still answers a query. */
const REQUERY_MS = 15_000

export interface DiscoveryOptions {
  self: ReplicaId
  hint: string
  /** The port this node's LAN endpoint listens on. */
  port: number
  path: string
  /** Multicast on this interface (an IPv4 address) only; default: every interface. */
  interface?: string
  log: Logger
  found(peer: ReplicaId, url: string): void
  lost(peer: ReplicaId): void
}

export interface Discovery {
  close(): Promise<void>
}

export function startDiscovery(opts: DiscoveryOptions): Discovery {
  // multicast-dns options, which bonjour passes through but does not type. Binding the
  // interface's address would miss multicast: bind all, send on the interface.
  const mdns = opts.interface ? { interface: opts.interface, bind: '0.0.0.0' } : {}
  const bonjour = new Bonjour(mdns as ConstructorParameters<typeof Bonjour>[0], (err: Error) =>
    opts.log.error({ err: err.message }, 'mDNS failed: LAN discovery is off'),
  )
  bonjour.publish({
    name: opts.self,
    type: SERVICE_TYPE,
    port: opts.port,
    // Our own host name, not the machine's: nodes sharing one (containers, namespaces) must
    // not answer for each other's addresses.
    host: `${opts.self}.local`,
    txt: { v: TXT_VERSION, ws: opts.hint, id: opts.self },
    disableIPv6: true,
  })
  const browser: Browser = bonjour.find({ type: SERVICE_TYPE })
  const seen = (service: Service) => {
    const peer = peerOf(service, opts)
    const address = addressOf(service)
    if (peer === null || address === null) return
    opts.found(peer, `ws://${address}:${service.port}${opts.path}`)
  }
  browser.on('up', seen)
  browser.on('srv-update', seen)
  browser.on('txt-update', seen)
  browser.on('down', (service: Service) => {
    const peer = peerOf(service, opts)
    if (peer !== null) opts.lost(peer)
  })
  const requery = setInterval(() => browser.update(), REQUERY_MS)
  requery.unref()
  opts.log.info({ hint: opts.hint, port: opts.port }, 'LAN discovery on (mDNS _lattice._tcp)')
  return {
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(requery)
        browser.stop()
        // Goodbye packets first, so peers stop dialing at once rather than on a timeout; but
        // never hang a shutdown on a socket that failed to bind.
        const done = () => bonjour.destroy(() => resolve())
        const timer = setTimeout(done, 1_000)
        bonjour.unpublishAll(() => {
          clearTimeout(timer)
          done()
        })
      }),
  }
}

function peerOf(service: Service, opts: DiscoveryOptions): ReplicaId | null {
  const txt = (service.txt ?? {}) as Record<string, unknown>
  if (txt.v !== TXT_VERSION || txt.ws !== opts.hint) return null
  const id = txt.id
  if (typeof id !== 'string' || !isValidId(id) || id === opts.self) return null
  return id as ReplicaId
}

/** Where the answer came from (reachable by definition), else an advertised IPv4 address. */
function addressOf(service: Service): string | null {
  if (service.referer?.family === 'IPv4') return service.referer.address
  return service.addresses?.find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a)) ?? null
}
