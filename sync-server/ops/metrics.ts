import { Counter, Gauge, Registry } from 'prom-client'
import type { DocStore } from '../storage/doc-store'

/** `lan`: authenticated peers in LAN mode (sync-server/lan/). */
export type Endpoint = 'lattice' | 'y-websocket' | 'lan'

/** Prometheus metrics of one node, on its own registry (several nodes can share a process). */
export class NodeMetrics {
  readonly registry = new Registry()
  readonly connections = new Gauge({
    name: 'lattice_connections',
    help: 'Open connections',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  })
  readonly updates = this.perEndpoint(
    'lattice_updates_total',
    'Document updates received, awareness excluded (rate() gives updates/s)',
  )
  readonly bytesIn = this.perEndpoint('lattice_bytes_in_total', 'Bytes received')
  readonly bytesOut = this.perEndpoint('lattice_bytes_out_total', 'Bytes sent')
  readonly closes = new Counter({
    name: 'lattice_connection_closes_total',
    help: 'Connections closed by the node, by reason code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  })

  constructor(store: DocStore, counts: () => { loaded: number; stored: number }) {
    this.sampled('lattice_storage_bytes', 'Bytes of stored values', () => store.size())
    this.sampled('lattice_documents_loaded', 'Documents in memory', () => counts().loaded)
    this.sampled('lattice_documents_stored', 'Documents in storage', () => counts().stored)
  }

  private perEndpoint(name: string, help: string): Counter<'endpoint'> {
    return new Counter({
      name,
      help,
      labelNames: ['endpoint'] as const,
      registers: [this.registry],
    })
  }

  /** A gauge read when Prometheus scrapes. */
  private sampled(name: string, help: string, read: () => number | Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read())
      },
    })
  }
}
