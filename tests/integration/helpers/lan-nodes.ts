import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { NoteDoc } from '../../../shared/engine/types'
import { docId } from '../../../shared/ids'
import type { LanConfig } from '../../../sync-server/lan/lan-config'
import type { Logger } from '../../../sync-server/ops/logger'
import { startRelay, type Relay } from '../../../sync-server/relay'

export interface LogEntry {
  readonly level: 'info' | 'warn' | 'error' | 'debug'
  readonly msg: string
  readonly fields: Record<string, unknown>
}

/** A logger that keeps what it is told, so a test can check what a node logged. */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = []
  info(fields: object, msg = '') {
    this.entries.push({ level: 'info', msg, fields: fields as Record<string, unknown> })
  }
  warn(fields: object, msg = '') {
    this.entries.push({ level: 'warn', msg, fields: fields as Record<string, unknown> })
  }
  error(fields: object, msg = '') {
    this.entries.push({ level: 'error', msg, fields: fields as Record<string, unknown> })
  }
  debug() {}

  find(msg: string, fields: Record<string, unknown> = {}): LogEntry | undefined {
    return this.entries.find(
      (e) => e.msg === msg && Object.entries(fields).every(([k, v]) => e.fields[k] === v),
    )
  }
}

/** A LAN-mode relay in this process, on 127.0.0.1, mDNS on loopback, storage in a temp folder. */
export class LanTestNode {
  private constructor(
    readonly relay: Relay,
    readonly log: RecordingLogger,
    private readonly dir: string,
  ) {}

  static async start(lan: Omit<LanConfig, 'interface'>, host = '127.0.0.1'): Promise<LanTestNode> {
    const dir = await mkdtemp(join(tmpdir(), 'lattice-lan-'))
    const log = new RecordingLogger()
    const relay = await startRelay(
      {
        host,
        port: 0,
        data: dir,
        token: undefined,
        logLevel: 'error',
        lan: { ...lan, interface: '127.0.0.1' },
      },
      { log },
    )
    return new LanTestNode(relay, log, dir)
  }

  get id(): string {
    return this.relay.node.id
  }

  /** `host:port` for another node's `peers`. */
  get address(): string {
    return `127.0.0.1:${this.relay.server.port}`
  }

  get peers() {
    const lan = this.relay.lan
    if (!lan) throw new Error('not in LAN mode')
    return lan.peers
  }

  note(id: string): Promise<NoteDoc> {
    return this.relay.node.retain(docId(id), 'yjs')
  }

  async stop(): Promise<void> {
    await this.relay.stop()
    await rm(this.dir, { recursive: true, force: true })
  }
}
