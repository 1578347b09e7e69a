import {
  LAN_OFF,
  type LanRequest,
  type LanResult,
  type LanStatus,
} from '../../shared/desktop/lan-settings'
import type { NodeControl } from '../sync/node-control'

/** The LAN panel: this machine's workspace and LAN peers (polled), and what a person can do. */
export class LanPanel {
  status = $state.raw<LanStatus>(LAN_OFF)
  open = $state(false)
  code = $state('')
  address = $state('')
  /** The pairing code, shown after making a workspace or asking to see it. */
  shownCode = $state<string | null>(null)
  error = $state<string | null>(null)
  busy = $state(false)

  readonly summary = $derived.by(() => {
    const s = this.status
    if (!s.on) return 'LAN off'
    const n = s.linked.length
    const pending = s.linked.reduce((sum, p) => sum + p.pendingNotes, 0)
    const peers = `LAN: ${n} peer${n === 1 ? '' : 's'}`
    if (n > 0 && pending > 0) return `${peers}, ${pending} note${pending === 1 ? '' : 's'} to send`
    if (n > 0) return `${peers}, up to date`
    return s.peers.some((p) => p.lastError?.startsWith('4403'))
      ? 'LAN: refused'
      : 'LAN: looking for peers'
  })

  readonly tone = $derived.by(() => {
    const s = this.status
    if (!s.on) return 'idle' as const
    if (s.linked.some((p) => p.pendingNotes > 0)) return 'busy' as const
    if (s.linked.length > 0) return 'ok' as const
    return s.peers.some((p) => p.lastError !== null) ? ('off' as const) : ('busy' as const)
  })

  constructor(private readonly control: NodeControl) {
    void this.refresh()
    setInterval(() => void this.refresh(), 1000)
  }

  async refresh(): Promise<void> {
    try {
      this.status = await this.control.lanStatus()
    } catch {
      // The node is unreachable; the window's own status says so.
    }
  }

  toggle(): void {
    this.open = !this.open
    this.error = null
    if (!this.open) this.shownCode = null
  }

  create(): Promise<void> {
    return this.run({ action: 'create' })
  }

  join(): Promise<void> {
    return this.run({ action: 'join', code: this.code }, () => (this.code = ''))
  }

  reveal(): Promise<void> {
    return this.run({ action: 'reveal' })
  }

  leave(): Promise<void> {
    return this.run({ action: 'leave' })
  }

  addPeer(): Promise<void> {
    return this.run({ action: 'add-peer', address: this.address }, () => (this.address = ''))
  }

  removePeer(address: string): Promise<void> {
    return this.run({ action: 'remove-peer', address })
  }

  private async run(request: LanRequest, done?: () => void): Promise<void> {
    this.busy = true
    this.error = null
    let result: LanResult
    try {
      result = await this.control.lanRequest(request)
    } catch (err) {
      this.error = `could not reach this machine's node: ${(err as Error).message}`
      return
    } finally {
      this.busy = false
    }
    if (!result.ok) {
      this.error = result.error
      return
    }
    this.status = result.status
    this.shownCode = result.pairingCode ?? null
    done?.()
  }
}
