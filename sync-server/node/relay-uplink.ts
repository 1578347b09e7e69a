import {
  parseRelaySettings,
  RELAY_OFF,
  type RelaySettings,
  type RelayStatus,
} from '../../shared/desktop/relay-settings'
import type { NoteDoc } from '../../shared/engine/types'
import type { DocId } from '../../shared/ids'
import { Emitter, type Unsubscribe } from '../../shared/util/emitter'
import { DialerLink } from '../net/dialer'
import type { LatticeNode } from './lattice-node'
import { SealedJsonFile, type Sealer } from './sealed-file'

/**
 * The node's link to a relay, as set in a window: kept in a settings file (mode 0600, the token
 * sealed by the OS keychain where the app has one), dialed with backoff, and watched through the relay's ACKs so a window can say
 * whether the relay has everything this machine wrote.
 */
export class RelayUplink {
  private settings: RelaySettings | null = null
  private dialer: DialerLink | null = null
  private detach: Unsubscribe | null = null
  /** Notes changed here since the relay last acknowledged all of them. */
  private readonly pending = new Set<DocId>()
  private readonly changed = new Emitter<void>()
  private readonly offEvents: Unsubscribe

  private constructor(
    private readonly node: LatticeNode,
    private readonly file: SealedJsonFile,
  ) {
    this.offEvents = node.replica.events.on((e) => {
      if (e.type === 'ack' && e.link === this.dialer) {
        const doc = node.replica.getDoc(e.doc)
        if (doc && doc.unseenBy(e.version) === 0 && this.pending.delete(e.doc)) this.changed.emit()
      }
    })
    node.replica.docAdded.on((doc) => this.watch(doc))
    for (const doc of node.replica.allDocs()) this.watch(doc)
  }

  /** A change from anywhere but the relay is pending until the relay acknowledges it. */
  private watch(doc: NoteDoc): void {
    doc.onChange((change) => {
      if (!this.settings || change.origin === this.dialer?.id || this.pending.has(doc.id)) return
      this.pending.add(doc.id)
      this.changed.emit()
    })
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
      pendingNotes: this.pending.size,
      lastError: ended && state.status !== 'open' ? `${ended.code} ${ended.reason}` : null,
    }
  }

  onChange(listener: () => void): Unsubscribe {
    return this.changed.on(listener)
  }

  close(): void {
    this.disconnect()
    this.offEvents()
  }

  private connect(settings: RelaySettings): void {
    this.disconnect()
    this.settings = settings
    const dialer = new DialerLink({ url: settings.url, token: settings.token || undefined })
    this.dialer = dialer
    this.detach = this.node.replica.attach(dialer)
    dialer.onStatus(() => this.changed.emit())
    this.node.log.info({ relay: settings.url }, 'syncing through a relay')
  }

  private disconnect(): void {
    this.detach?.()
    this.dialer?.close(1000, 'relay settings changed')
    this.detach = null
    this.dialer = null
    this.settings = null
    this.pending.clear()
  }
}
