import type { DesktopApi } from '../../shared/desktop/api'
import type {
  RelaySettings,
  RelayStatus,
  SetRelayResult,
} from '../../shared/desktop/relay-settings'

/** What a window asks of its node beyond sync: the relay it syncs through. */
export interface NodeControl {
  relayStatus(): Promise<RelayStatus>
  /** null disconnects and forgets the relay. */
  setRelay(settings: RelaySettings | null): Promise<SetRelayResult>
}

/** The browser host's HTTP API (sync-server/web/api.ts). */
export const httpControl: NodeControl = {
  async relayStatus() {
    const res = await fetch('api/relay', { cache: 'no-store' })
    if (!res.ok) throw new Error(`the node answered ${res.status}`)
    return (await res.json()) as RelayStatus
  },
  async setRelay(settings) {
    const res = await fetch('api/relay', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(settings),
    })
    return (await res.json()) as SetRelayResult
  },
}

/** The desktop app's main process, over the preload bridge. */
export function desktopControl(api: DesktopApi): NodeControl {
  return { relayStatus: () => api.relayStatus(), setRelay: (s) => api.setRelay(s) }
}
