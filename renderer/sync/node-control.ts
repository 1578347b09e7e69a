import type { DesktopApi } from '../../shared/desktop/api'
import type { LanRequest, LanResult, LanStatus } from '../../shared/desktop/lan-settings'
import type {
  NodeLinkRequest,
  NodeLinkResult,
  NodeLinksStatus,
} from '../../shared/desktop/node-links'
import type {
  RelaySettings,
  RelayStatus,
  SetRelayResult,
} from '../../shared/desktop/relay-settings'

/**
 * What a window asks of its node beyond sync: the relay it syncs through, LAN mode, and the
 * switches on the node's links to other machines (the Lab's).
 */
export interface NodeControl {
  relayStatus(): Promise<RelayStatus>
  /** null disconnects and forgets the relay. */
  setRelay(settings: RelaySettings | null): Promise<SetRelayResult>
  lanStatus(): Promise<LanStatus>
  lanRequest(request: LanRequest): Promise<LanResult>
  /** With `note`, each peer's last acknowledged version of it is related to the node's. */
  nodeLinks(note?: string): Promise<NodeLinksStatus>
  setNodeLinkFault(request: NodeLinkRequest): Promise<NodeLinkResult>
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { cache: 'no-store' })
  if (!res.ok) throw new Error(`the node answered ${res.status}`)
  return (await res.json()) as T
}

async function sendJson<T>(method: 'PUT' | 'POST', path: string, body: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return (await res.json()) as T
}

/** The browser host's HTTP API (sync-server/web/api.ts). */
export const httpControl: NodeControl = {
  relayStatus: () => getJson<RelayStatus>('api/relay'),
  setRelay: (settings) => sendJson<SetRelayResult>('PUT', 'api/relay', settings),
  lanStatus: () => getJson<LanStatus>('api/lan'),
  lanRequest: (request) => sendJson<LanResult>('POST', 'api/lan', request),
  nodeLinks: (note) =>
    getJson<NodeLinksStatus>(
      note === undefined ? 'api/node-links' : `api/node-links?${new URLSearchParams({ note })}`,
    ),
  setNodeLinkFault: (request) => sendJson<NodeLinkResult>('POST', 'api/node-links', request),
}

/** The desktop app's main process, over the preload bridge. */
export function desktopControl(api: DesktopApi): NodeControl {
  return {
    relayStatus: () => api.relayStatus(),
    setRelay: (s) => api.setRelay(s),
    lanStatus: () => api.lanStatus(),
    lanRequest: (r) => api.lanRequest(r),
    nodeLinks: (note) => api.nodeLinks(note),
    setNodeLinkFault: (r) => api.setNodeLinkFault(r),
  }
}
