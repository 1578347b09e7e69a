import {
  parseRelaySettings,
  RELAY_OFF,
  type RelayStatus,
} from '../../shared/desktop/relay-settings'
import type { NodeControl } from '../sync/node-control'

/** The relay settings panel: the node's relay status (polled) and the form to change it. */
export class RelayPanel {
  status = $state.raw<RelayStatus>(RELAY_OFF)
  open = $state(false)
  url = $state('')
  token = $state('')
  error = $state<string | null>(null)
  saving = $state(false)

  readonly summary = $derived.by(() => {
    const s = this.status
    if (s.connection === 'off') return 'No relay'
    if (s.connection !== 'open')
      return s.connection === 'closed' ? 'Relay refused' : 'Relay: connecting…'
    if (s.pendingNotes > 0)
      return `Relay: ${s.pendingNotes} note${s.pendingNotes === 1 ? '' : 's'} not stored yet`
    return 'Up to date with the relay'
  })

  constructor(private readonly control: NodeControl) {
    void this.refresh()
    setInterval(() => void this.refresh(), 1000)
  }

  async refresh(): Promise<void> {
    try {
      this.status = await this.control.relayStatus()
    } catch {
      // The node is unreachable; the window's own status says so.
    }
  }

  show(): void {
    this.url = this.status.url ?? ''
    this.token = ''
    this.error = null
    this.open = true
  }

  async save(): Promise<void> {
    this.error = null
    let settings
    try {
      settings = parseRelaySettings({ url: this.url, token: this.token })
    } catch (err) {
      this.error = (err as Error).message
      return
    }
    await this.apply(settings)
  }

  async disconnect(): Promise<void> {
    await this.apply(null)
  }

  private async apply(settings: Parameters<NodeControl['setRelay']>[0]): Promise<void> {
    this.saving = true
    try {
      const result = await this.control.setRelay(settings)
      if (result.ok) {
        this.open = false
        await this.refresh()
      } else this.error = result.error
    } catch (err) {
      this.error = `could not reach this machine's node: ${(err as Error).message}`
    } finally {
      this.saving = false
    }
  }
}
