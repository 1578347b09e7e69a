import {
  parseRelaySettings,
  RELAY_OFF,
  type RelaySettings,
  type RelayStatus,
} from '../../shared/desktop/relay-settings'
import type { NodeLinkStatus } from '../../shared/desktop/node-links'
import type { DocId } from '../../shared/ids'
import { FaultGate, type LinkFault } from '../../shared/sync/fault-gate'
import { Emitter, type Unsubscribe } from '../../shared/util/emitter'
import { DialerLink } from '../net/dialer'
import type { LatticeNode } from './lattice-node'
import { PendingAcks } from './pending-acks'
import { SealedJsonFile, type Sealer } from './sealed-file'

/**
 * The node's link to a relay, as set in a window: kept in a settings file (mode 0600, the token
 * sealed by the OS keychain where the app has one), dialed with backoff, and watched through the relay's ACKs so a window can say
 * whether the relay has everything this machine wrote. The link runs through a fault gate the
 * Lab switches (cut, one way or both); a new relay address starts with the gate open.
 */
const RELAY_KEY = 'relay'

export class RelayUplink {
  private settings: RelaySettings | null = null
  private dialer: DialerLink | null = null
  private detach: Unsubscribe | null = null
  private readonly gate = new FaultGate()
  /** Notes changed here since the relay last acknowledged all of them. */
  private readonly acks: PendingAcks
  private readonly changed = new Emitter<void>()

  private constructor(
    private readonly node: LatticeNode,
    private readonly file: SealedJsonFile,
  ) {
    this.acks = new PendingAcks(node, (link) => (link === this.dialer?.id ? RELAY_KEY : null))
  }

  /** Reads `file` (if any) and connects to the relay it names. */
  static async open(
    node: LatticeNode,
    file: string,
    sealer: Sealer | null = null,
  ): Promise<RelayUplink> {
    const settings = new SealedJsonFile(file, ['token'], sealer)
    const uplink = new RelayUplink(node, settings)
    try {
      const stored = await settings.read()
      if (stored !== null) uplink.connect(parseRelaySettings(stored))
    } catch (err) {
      node.log.error({ file, err: (err as Error).message }, 'ignoring unreadable relay settings')
    }
    return uplink
  }

  /** Validates, saves, and reconnects; null forgets the relay. Throws `RelaySettingsError`. */
  async configure(input: unknown): Promise<void> {
    if (input === null) {
      await this.file.write(null)
      this.disconnect()
    } else {
      const next = parseRelaySettings(input)
      await this.file.write({ ...next })
      this.connect(next)
    }
    this.changed.emit()
  }

  status(): RelayStatus {
    if (!this.settings || !this.dialer) return RELAY_OFF
    const state = this.dialer.snapshot
    const ended = state.gaveUp ?? state.lastClose
    return {
      url: this.settings.url,
      hasToken: this.settings.token !== '',
      connection: state.status,
      pendingNotes: this.acks.count(RELAY_KEY),
      lastError: ended && state.status !== 'open' ? `${ended.code} ${ended.reason}` : null,
    }
  }

  /** The link as the Lab lists it; null with no relay set. */
  linkStatus(note: DocId | null): NodeLinkStatus | null {
    const s = this.status()
    if (s.connection === 'off' || s.url === null) return null
    return {
      key: RELAY_KEY,
      kind: 'relay',
      peer: s.url,
      connection: s.connection,
      pendingNotes: s.pendingNotes,
      fault: this.gate.fault,
      noteRelation: note === null ? null : this.acks.relation(RELAY_KEY, note),
    }
  }

  /** Cuts the link to the relay (both ways or one) or heals it; false with no relay set. */
  setFault(fault: LinkFault): boolean {
    if (!this.dialer) return false
    this.gate.set(fault)
    this.node.log.info({ relay: this.settings?.url, fault }, 'relay link fault set')
    this.changed.emit()
    return true
  }

  onChange(listener: () => void): Unsubscribe {
    const offs = [this.changed.on(listener), this.acks.onChange(listener)]
    return () => offs.forEach((off) => off())
  }

  close(): void {
    this.disconnect()
    this.acks.close()
  }

  private connect(settings: RelaySettings): void {
    this.disconnect()
    this.settings = settings
    const dialer = new DialerLink({ url: settings.url, token: settings.token || undefined })
    this.dialer = dialer
    const link = this.gate.wrap(dialer, () => dialer.reconnect('resync after the link was cut'))
    const detach = this.node.replica.attach(link)
    this.detach = () => {
      detach()
      this.gate.remove(link)
    }
    this.acks.track(RELAY_KEY)
    dialer.onStatus(() => this.changed.emit())
    this.node.log.info({ relay: settings.url }, 'syncing through a relay')
  }

  private disconnect(): void {
    this.detach?.()
    this.dialer?.close(1000, 'relay settings changed')
    this.detach = null
    this.dialer = null
    this.settings = null
    this.gate.set('open')
    this.acks.untrack(RELAY_KEY)
  }
}
